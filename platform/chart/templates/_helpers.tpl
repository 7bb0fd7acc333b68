{{/* The catalog projection written by `npm run derive` (platform/derive/model.ts). */}}
{{- define "todo.deployment" -}}
{{- .Files.Get "files/deployment.yaml" -}}
{{- end -}}

{{/* The Secret with Dapr's app API token (key `token`). */}}
{{- define "todo.appTokenSecret" -}}
{{- .Values.dapr.appTokenSecret | default (printf "%s-dapr-app-token" .Release.Name) -}}
{{- end -}}

{{/*
A generated secret value that survives upgrades: the live Secret's value when it has one (helm lookup),
else 48 new random characters. Offline (`helm template`, where lookup sees no cluster) it renders a
placeholder instead, which `platform up` replaces and the functions refuse to start with.
Call with (list $ secretName key).
*/}}
{{- define "todo.generatedSecret" -}}
{{- $ := index . 0 -}}
{{- $name := index . 1 -}}
{{- $key := index . 2 -}}
{{- $live := lookup "v1" "Secret" $.Release.Namespace $name -}}
{{- $data := dict -}}
{{- if $live }}{{ $data = $live.data | default dict }}{{ end -}}
{{- if hasKey $data $key -}}
{{- index $data $key | b64dec -}}
{{- else if not (lookup "v1" "Namespace" "" "kube-system") -}}
{{- printf "generated-by-platform-up:%s/%s" $name $key -}}
{{- else -}}
{{- randAlphaNum 48 -}}
{{- end -}}
{{- end -}}

{{- define "todo.labels" -}}
app.kubernetes.io/part-of: todo
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component (a function name, or "web"). Call with (list $ name). */}}
{{- define "todo.selector" -}}
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
{{- end -}}

{{/* <registry>/<prefix><component>:<tag>. Call with (list $ name). */}}
{{- define "todo.image" -}}
{{- $ := index . 0 -}}
{{- $repo := printf "%s%s" $.Values.image.prefix (index . 1) -}}
{{- if $.Values.image.registry -}}
{{- $repo = printf "%s/%s" (trimSuffix "/" $.Values.image.registry) $repo -}}
{{- end -}}
{{- printf "%s:%s" $repo (toString $.Values.image.tag) -}}
{{- end -}}

{{/* Pod Security "restricted": non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp. */}}
{{- define "todo.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "todo.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "todo.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Environment of a function container (functions/core/src/config.ts). Secrets: exactly the ones its catalog
entry lists (`secrets` in files/deployment.yaml), so a function that never sends email holds no Resend key
and only the functions with a daprd hold the app token. Call with (list $ fn).
*/}}
{{- define "todo.functionEnv" -}}
{{- $ := index . 0 -}}
{{- $fn := index . 1 -}}
{{- $d := include "todo.deployment" $ | fromYaml -}}
{{- $secrets := $fn.secrets | default list -}}
{{- range $secrets }}
{{- if not (has . (list "DATABASE_URL" "JWT_SECRET" "APP_API_TOKEN" "RESEND_API_KEY" "OPENAI_API_KEY")) }}
{{- fail (printf "%s: the chart has no source for the secret %s (templates/_helpers.tpl todo.functionEnv)" $fn.name .) }}
{{- end }}
{{- end -}}
- name: PORT
  value: {{ $d.ports.app | quote }}
- name: LOG_LEVEL
  value: {{ $.Values.config.logLevel | quote }}
- name: SHUTDOWN_GRACE_MS
  value: {{ $.Values.config.shutdownGraceMs | quote }}
- name: SHUTDOWN_DELAY_MS
  value: {{ $.Values.config.shutdownDelayMs | quote }}
{{- if $fn.dapr }}
- name: DAPR_HTTP_PORT
  value: "3500"
- name: PUBSUB_NAME
  value: {{ $.Values.dapr.pubsubName | quote }}
{{- end }}
{{- if has "APP_API_TOKEN" $secrets }}
# What daprd sends (the same Secret as dapr.io/app-token-secret): the app refuses internal calls without it.
- name: APP_API_TOKEN
  valueFrom:
    secretKeyRef: { name: {{ include "todo.appTokenSecret" $ }}, key: token }
{{- end }}
{{- if has "DATABASE_URL" $secrets }}
# The app role: rows only; the migration Job alone connects as the schema's owner (MIGRATION_DATABASE_URL).
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: { name: {{ $.Values.secrets.name }}, key: DATABASE_URL }
- name: DATABASE_POOL_MAX
  value: {{ $.Values.config.databasePoolMax | quote }}
# The clock's address (always on, ClusterIP): functions schedule their Dapr jobs through it.
- name: CLOCK_URL
  value: {{ printf "http://clock:%v" $d.ports.service | quote }}
# The web app's address, for the links in account emails.
- name: APP_BASE_URL
  value: {{ include "todo.appBaseUrl" $ | quote }}
{{- end }}
{{- if has "JWT_SECRET" $secrets }}
- name: JWT_SECRET
  valueFrom:
    secretKeyRef: { name: {{ $.Values.secrets.name }}, key: JWT_SECRET }
{{- end }}
{{- if has "RESEND_API_KEY" $secrets }}
# Email is sent only when the Secret has RESEND_API_KEY; otherwise it is logged.
- name: EMAIL_FROM
  value: {{ $.Values.config.emailFrom | quote }}
- name: RESEND_API_KEY
  valueFrom:
    secretKeyRef: { name: {{ $.Values.secrets.name }}, key: RESEND_API_KEY, optional: true }
{{- end }}
{{- if and (has "OPENAI_API_KEY" $secrets) $.Values.config.openai.baseUrl }}
# The chat box's model endpoint; without it (or without the key) chat runs offline.
- name: OPENAI_BASE_URL
  value: {{ $.Values.config.openai.baseUrl | quote }}
- name: OPENAI_MODEL
  value: {{ $.Values.config.openai.model | quote }}
- name: OPENAI_API_KEY
  valueFrom:
    secretKeyRef: { name: {{ $.Values.secrets.name }}, key: OPENAI_API_KEY, optional: true }
{{- end }}
{{- if eq $fn.name "gateway" }}
# Every function answers on http://<name>:<service port>: a ClusterIP Service, or an ExternalName to
# the KEDA HTTP add-on interceptor (which routes by that Host and holds requests during a cold start).
- name: FUNCTION_URL_TEMPLATE
  value: {{ ternary "http://{name}" (printf "http://{name}:%v" $d.ports.service) $.Values.knative.enabled | quote }}
{{- end }}
{{- end -}}

{{/* config.appBaseUrl, else the ingress host (https with TLS). */}}
{{- define "todo.appBaseUrl" -}}
{{- if .Values.config.appBaseUrl -}}
{{- .Values.config.appBaseUrl -}}
{{- else -}}
{{- printf "%s://%s" (ternary "https" "http" (not (empty .Values.ingress.tls))) .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{/*
Dapr sidecar, only for functions with `dapr: true` (platform/derive/model.ts usesDapr): app-id = function
name; its Kafka consumer group is todo.consumerGroup. Call with (list $ fn).
*/}}
{{- define "todo.daprAnnotations" -}}
{{- $ := index . 0 -}}
{{- $fn := index . 1 -}}
{{- $d := include "todo.deployment" $ | fromYaml -}}
dapr.io/enabled: "true"
dapr.io/app-id: {{ $fn.appId | quote }}
# daprd sends this Secret's `token` as dapr-api-token on every call into the app (events, jobs).
dapr.io/app-token-secret: {{ include "todo.appTokenSecret" $ | quote }}
dapr.io/app-port: {{ $d.ports.app | quote }}
dapr.io/app-protocol: http
dapr.io/config: {{ $.Values.dapr.config | quote }}
dapr.io/log-level: {{ $.Values.dapr.logLevel | quote }}
dapr.io/enable-metrics: "true"
dapr.io/sidecar-cpu-request: {{ $.Values.dapr.sidecar.cpuRequest | quote }}
dapr.io/sidecar-memory-request: {{ $.Values.dapr.sidecar.memoryRequest | quote }}
dapr.io/sidecar-cpu-limit: {{ $.Values.dapr.sidecar.cpuLimit | quote }}
dapr.io/sidecar-memory-limit: {{ $.Values.dapr.sidecar.memoryLimit | quote }}
# Pod Security "restricted" applies to the injected daprd container too.
dapr.io/sidecar-seccomp-profile-type: RuntimeDefault
# The app has up to shutdownGraceMs to drain; daprd must outlive it to flush acknowledgements.
dapr.io/graceful-shutdown-seconds: {{ add 5 (div (add $.Values.config.shutdownDelayMs $.Values.config.shutdownGraceMs) 1000) | quote }}
{{- end -}}

{{/* Requests from the catalog (or overrides), limits from values. Call with (list $ fn). */}}
{{- define "todo.functionResources" -}}
{{- $ := index . 0 -}}
{{- $fn := index . 1 -}}
{{- $o := index $.Values.overrides $fn.name | default dict -}}
{{- if $o.resources }}
{{- toYaml $o.resources }}
{{- else }}
requests:
  cpu: {{ $fn.resources.cpu }}
  memory: {{ $fn.resources.memory }}
limits:
  {{- with $.Values.limits.cpu }}
  cpu: {{ . }}
  {{- end }}
  memory: {{ $.Values.limits.memory }}
{{- end }}
{{- end -}}

{{/* Common labels plus the component's name. Call with (list $ name). */}}
{{- define "todo.labelsFor" -}}
{{ include "todo.labels" (index . 0) }}
app.kubernetes.io/name: {{ index . 1 }}
{{- end -}}

{{/*
Kafka bootstrap servers as KEDA's operator sees them: it runs in the keda namespace, so a short Service
name (kafka:9092) is qualified with this release's namespace. Addresses with a dot stay as they are.
*/}}
{{- define "todo.kedaBrokers" -}}
{{- $out := list -}}
{{- range $b := splitList "," .Values.kafka.brokers -}}
{{- $b = trim $b -}}
{{- $host := regexReplaceAll ":[0-9]+$" $b "" -}}
{{- if contains "." $host -}}
{{- $out = append $out $b -}}
{{- else -}}
{{- $out = append $out (printf "%s.%s.svc%s" $host $.Release.Namespace (trimPrefix $host $b)) -}}
{{- end -}}
{{- end -}}
{{- join "," $out -}}
{{- end -}}

{{/* The ServiceAccount of the pods that run daprd (templates/dapr-service-account.yaml). */}}
{{- define "todo.daprServiceAccount" -}}
{{- printf "%s-dapr" .Release.Name -}}
{{- end -}}

{{/*
"<environment>." when .Values.environment is set, else "": environments that share a Kafka cluster get
their own consumer groups. The one place both Dapr's component and KEDA's triggers take it from.
*/}}
{{- define "todo.consumerGroupPrefix" -}}
{{- with .Values.environment -}}
{{- if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" .) -}}
{{- fail (printf "environment %q: use a DNS label (staging, production)" .) -}}
{{- end -}}
{{- printf "%s." . -}}
{{- end -}}
{{- end -}}

{{/* A function's Kafka consumer group: [<environment>.]<app-id>, as Dapr resolves it. Call with (list $ fn). */}}
{{- define "todo.consumerGroup" -}}
{{- printf "%s%s" (include "todo.consumerGroupPrefix" (index . 0)) (index . 1).appId -}}
{{- end -}}
