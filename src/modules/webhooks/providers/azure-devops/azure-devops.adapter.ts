import {
  Provider,
  type DomainEvent,
  type IdentifyResult,
  type IncomingWebhook,
  type ProviderAdapter,
  type SourceSecrets,
  type VerifyResult,
} from '../provider-adapter';
import { payloadString, verifyBasicCredentials } from '../signatures';
import { AZURE_DEVOPS_SECRETS } from './credentials';
import { deployedRepositoryName } from './deployments';
import { normalizeAzureDevOps } from './normalize';

/** Azure DevOps Services and Server: service hooks of the "Web Hooks" consumer. */
export class AzureDevOpsAdapter implements ProviderAdapter {
  readonly provider = Provider.AzureDevOps;
  readonly displayName = 'Azure DevOps';
  readonly secrets = AZURE_DEVOPS_SECRETS;
  readonly secretHeaders = ['authorization'];

  verify(webhook: IncomingWebhook, secrets: SourceSecrets): VerifyResult {
    return verifyBasicCredentials(webhook.headers, secrets.basic);
  }

  /** Service hooks name the event and its id in the body; no header says either. */
  identify(webhook: IncomingWebhook): IdentifyResult {
    const event = payloadString(webhook.payload, 'eventType')?.trim();
    if (!event) {
      return {
        ok: false,
        reason: 'missing_event_header',
        message: 'The body has no eventType (Azure DevOps names the event in the payload)',
      };
    }
    const eventId = payloadString(webhook.payload, 'id')?.trim();
    if (!eventId) {
      return {
        ok: false,
        reason: 'missing_delivery_id',
        message: 'The body has no id (the Azure DevOps event id)',
      };
    }
    // One event reaches every subscription that matches it: the pair names one delivery, and
    // the retries of a notification share it.
    const subscriptionId = payloadString(webhook.payload, 'subscriptionId')?.trim();
    const deliveryId = subscriptionId ? `${subscriptionId}:${eventId}` : eventId;
    return {
      ok: true,
      identity: {
        deliveryId,
        event,
        action: payloadString(webhook.payload, 'resource', 'status'),
        repository: repositoryName(webhook.payload),
      },
    };
  }

  normalize(event: string, payload: unknown): DomainEvent[] {
    return normalizeAzureDevOps(event, payload);
  }
}

/** `project/repository` (or the project alone, for work items), where the payload says. */
function repositoryName(payload: unknown): string | undefined {
  const repository = payloadString(payload, 'resource', 'repository', 'name');
  const project =
    payloadString(payload, 'resource', 'repository', 'project', 'name') ??
    payloadString(payload, 'resource', 'project', 'name');
  if (repository !== undefined) {
    return project === undefined ? repository : `${project}/${repository}`;
  }
  return (
    payloadString(payload, 'resource', 'fields', 'System.TeamProject') ??
    payloadString(payload, 'resource', 'revision', 'fields', 'System.TeamProject') ??
    deployedRepositoryName(payload)
  );
}
