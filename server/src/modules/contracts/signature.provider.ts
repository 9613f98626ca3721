// How a contract gets signed (C15). A provider turns "the customer signed" into evidence the CRM
// can store. `manual` ships: staff upload the signed paper contract's scan and a second person
// (contract.confirm, never the uploader) confirms it. An e-signature adapter would implement the
// same interface against its documented API (start a signing flow, receive its callback); none is
// included because we found no provider API documentation we could cite, and guessing is not an option.
import type { SignatureProviderKey } from '../../contracts/contracts';
import type { Actor } from '../../http/context';

export interface SignatureEvidence {
  uploadedBy: number;
  confirmedBy: number | null;
}

export interface SignatureProvider {
  readonly key: SignatureProviderKey;
  readonly label: string;
  /** Whether `actor` may confirm evidence uploaded by `evidence.uploadedBy`; a Chinese reason when not. */
  confirmProblem(evidence: SignatureEvidence, actor: Actor): string | null;
}

export const manualProvider: SignatureProvider = {
  key: 'manual',
  label: '线下签署',
  confirmProblem(evidence, actor) {
    // Four eyes: the person who uploaded the scan cannot also vouch for it.
    return evidence.uploadedBy === actor.id ? '签署件须由上传人以外的另一人确认' : null;
  },
};

export const SIGNATURE_PROVIDER_IMPLS: Record<SignatureProviderKey, SignatureProvider> = { manual: manualProvider };
