// Command schemagen turns the Kubernetes OpenAPI (swagger v2) document and CustomResourceDefinition
// YAML files into standalone, strict JSON schemas in the layout kubeconform expects:
//
//	<out>/core/<kind>[-<group-first-part>]-<version>.json   (like yannh/kubernetes-json-schema *-standalone-strict)
//	<out>/crds/<group>/<kind>_<version>.json                 (like kubeconform's openapi2jsonschema.py)
//
// Used by get-k8s-tools.sh; runs offline.
//
//	go run . -swagger swagger.json -out DIR crd.yaml...
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

type obj = map[string]any

const (
	intOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
	quantity    = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	objectMeta  = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
	refPrefix   = "#/definitions/"
)

func main() {
	swaggerPath := flag.String("swagger", "", "Kubernetes api/openapi-spec/swagger.json")
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *swaggerPath == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: schemagen -swagger swagger.json -out DIR [crd.yaml...]")
		os.Exit(2)
	}
	defs, err := loadDefinitions(*swaggerPath)
	check(err)
	n, err := writeCore(defs, filepath.Join(*out, "core"))
	check(err)
	fmt.Fprintf(os.Stderr, "schemagen: %d core schemas\n", n)
	total := 0
	for _, f := range flag.Args() {
		n, err := writeCRDs(f, defs, filepath.Join(*out, "crds"))
		if err != nil {
			check(fmt.Errorf("%s: %w", f, err))
		}
		total += n
	}
	fmt.Fprintf(os.Stderr, "schemagen: %d CRD schemas from %d files\n", total, len(flag.Args()))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func loadDefinitions(path string) (obj, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Definitions obj `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if len(doc.Definitions) == 0 {
		return nil, fmt.Errorf("%s has no definitions", path)
	}
	defs := doc.Definitions
	// YAML authors write `port: 8080` and `cpu: 1`: accept what kubectl and the API server accept.
	defs[intOrString] = obj{"oneOf": []any{obj{"type": "string"}, obj{"type": "integer"}}}
	defs[quantity] = obj{"oneOf": []any{obj{"type": "string"}, obj{"type": "number"}}}
	for name, d := range defs {
		s := d.(obj)
		walk(s, true)
		// Scalar definitions (Time, MicroTime, ...) may be null (e.g. `creationTimestamp: null`).
		if t, ok := s["type"].(string); ok && t != "object" && t != "array" {
			s["type"] = []any{t, "null"}
		}
		if name == intOrString || name == quantity {
			s["oneOf"] = append(s["oneOf"].([]any), obj{"type": "null"})
		}
	}
	return defs, nil
}

// walk makes a schema strict (additionalProperties: false where properties are listed, unless the
// node preserves unknown fields), replaces int-or-string formats and, when nullable is set, lets
// optional scalar fields be null as the API server does. It only descends into schema positions.
func walk(s obj, nullable bool) {
	if s == nil {
		return
	}
	if f, _ := s["format"].(string); f == "int-or-string" {
		delete(s, "format")
		delete(s, "type")
		s["oneOf"] = []any{obj{"type": "string"}, obj{"type": "integer"}}
	}
	if v, _ := s["nullable"].(bool); v {
		if t, ok := s["type"].(string); ok {
			s["type"] = []any{t, "null"}
		}
	}
	preserve, _ := s["x-kubernetes-preserve-unknown-fields"].(bool)
	if props, ok := s["properties"].(obj); ok {
		if _, has := s["additionalProperties"]; !has && !preserve {
			s["additionalProperties"] = false
		}
		required := map[string]bool{}
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if name, ok := r.(string); ok {
					required[name] = true
				}
			}
		}
		for name, p := range props {
			ps, ok := p.(obj)
			if !ok {
				continue
			}
			walk(ps, nullable)
			if t, ok := ps["type"].(string); ok && nullable && !required[name] {
				ps["type"] = []any{t, "null"}
			}
		}
	}
	for _, key := range []string{"additionalProperties", "items", "not", "additionalItems"} {
		switch v := s[key].(type) {
		case obj:
			walk(v, nullable)
		case []any:
			for _, x := range v {
				if xs, ok := x.(obj); ok {
					walk(xs, nullable)
				}
			}
		}
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		if arr, ok := s[key].([]any); ok {
			for _, x := range arr {
				if xs, ok := x.(obj); ok {
					walk(xs, nullable)
				}
			}
		}
	}
	for _, key := range []string{"patternProperties", "definitions"} {
		if m, ok := s[key].(obj); ok {
			for _, x := range m {
				if xs, ok := x.(obj); ok {
					walk(xs, nullable)
				}
			}
		}
	}
}

// refsOf collects every definition reachable from s.
func refsOf(s any, defs obj, seen map[string]bool) {
	switch v := s.(type) {
	case obj:
		for k, x := range v {
			if k == "$ref" {
				if r, ok := x.(string); ok && strings.HasPrefix(r, refPrefix) {
					name := strings.TrimPrefix(r, refPrefix)
					if !seen[name] {
						seen[name] = true
						refsOf(defs[name], defs, seen)
					}
				}
				continue
			}
			refsOf(x, defs, seen)
		}
	case []any:
		for _, x := range v {
			refsOf(x, defs, seen)
		}
	}
}

// standalone copies root and attaches the definitions it references (refs stay "#/definitions/...").
func standalone(root obj, defs obj) obj {
	out := deepCopy(root).(obj)
	seen := map[string]bool{}
	refsOf(out, defs, seen)
	if len(seen) > 0 {
		d := obj{}
		for name := range seen {
			d[name] = deepCopy(defs[name])
		}
		out["definitions"] = d
	}
	return out
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case obj:
		o := make(obj, len(x))
		for k, e := range x {
			o[k] = deepCopy(e)
		}
		return o
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	default:
		return x
	}
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeCore(defs obj, dir string) (int, error) {
	names := make([]string, 0, len(defs))
	for name := range defs {
		names = append(names, name)
	}
	sort.Strings(names)
	written := map[string]string{}
	for _, name := range names {
		def := defs[name].(obj)
		gvks, ok := def["x-kubernetes-group-version-kind"].([]any)
		if !ok {
			continue
		}
		props, _ := def["properties"].(obj)
		if props == nil || props["kind"] == nil || props["apiVersion"] == nil {
			continue // not a top-level object
		}
		for _, g := range gvks {
			gvk := g.(obj)
			group, _ := gvk["group"].(string)
			version, _ := gvk["version"].(string)
			kind, _ := gvk["kind"].(string)
			apiVersion := version
			file := strings.ToLower(kind)
			if group != "" {
				apiVersion = group + "/" + version
				file += "-" + strings.ToLower(strings.Split(group, ".")[0])
			}
			file += "-" + strings.ToLower(version) + ".json"
			if prev, dup := written[file]; dup {
				// Prefer the definition from the group itself (e.g. apps/v1 over a legacy alias).
				fmt.Fprintf(os.Stderr, "schemagen: %s already written from %s, skipping %s\n", file, prev, name)
				continue
			}
			s := standalone(def, defs)
			delete(s, "x-kubernetes-group-version-kind")
			sp := s["properties"].(obj)
			sp["apiVersion"] = obj{"type": "string", "enum": []any{apiVersion}}
			sp["kind"] = obj{"type": "string", "enum": []any{kind}}
			s["type"] = "object"
			s["additionalProperties"] = false
			if err := writeJSON(filepath.Join(dir, file), s); err != nil {
				return 0, err
			}
			written[file] = name
		}
	}
	return len(written), nil
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*$`)

func writeCRDs(path string, defs obj, dir string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, doc := range docSep.Split(string(raw), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		js, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return n, err
		}
		var crd struct {
			Kind string `json:"kind"`
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Schema struct {
						OpenAPIV3Schema obj `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(js, &crd); err != nil {
			return n, err
		}
		if crd.Kind != "CustomResourceDefinition" {
			continue
		}
		for _, v := range crd.Spec.Versions {
			s := v.Schema.OpenAPIV3Schema
			if s == nil {
				return n, fmt.Errorf("%s %s has no openAPIV3Schema", crd.Spec.Names.Kind, v.Name)
			}
			walk(s, false)
			// As openapi2jsonschema.py: the root stays open, everything below is strict.
			delete(s, "additionalProperties")
			if props, ok := s["properties"].(obj); ok {
				apiVersion := crd.Spec.Group + "/" + v.Name
				props["apiVersion"] = obj{"type": "string", "enum": []any{apiVersion}}
				props["kind"] = obj{"type": "string", "enum": []any{crd.Spec.Names.Kind}}
				// CRDs leave metadata as a bare object: validate it as the API server does.
				if m, ok := props["metadata"].(obj); ok && m["properties"] == nil {
					props["metadata"] = obj{"$ref": refPrefix + objectMeta}
				}
			}
			s = standalone(s, defs)
			file := filepath.Join(dir, strings.ToLower(crd.Spec.Group),
				strings.ToLower(crd.Spec.Names.Kind+"_"+v.Name)+".json")
			if err := writeJSON(file, s); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
