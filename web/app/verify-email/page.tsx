import { Suspense } from 'react';
import { VerifyEmail } from '@/components/verify-email';

export default function VerifyEmailPage() {
  return (
    <Suspense>
      <VerifyEmail />
    </Suspense>
  );
}
