import { Suspense } from 'react';
import { ResetPasswordForm } from '@/components/password-reset';

export default function ResetPasswordPage() {
  return (
    <Suspense>
      <ResetPasswordForm />
    </Suspense>
  );
}
