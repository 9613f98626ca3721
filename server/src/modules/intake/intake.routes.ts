import { route, type RouteDef } from '../../http/route';
import type { IntakeService } from './intake.service';

export function intakeRoutes(intake: IntakeService): RouteDef[] {
  return [
    route({
      method: 'post', path: '/intake/leads', tag: 'intake', auth: 'custom',
      summary: '渠道推送线索(HMAC 签名,Idempotency-Key,每次最多 500 条)',
      handler: async ({ ctx }) => {
        const raw = (ctx.request as unknown as { rawBody?: string }).rawBody ?? '';
        const r = await intake.receive(
          { channelKey: ctx.get('X-Channel-Key'), timestamp: ctx.get('X-Timestamp'), signature: ctx.get('X-Signature'), idempotencyKey: ctx.get('Idempotency-Key') || undefined },
          raw,
          ctx.request.body,
        );
        if (r.replayed) ctx.set('Idempotent-Replayed', 'true');
        ctx.status = r.status;
        ctx.body = r.body;
      },
    }),
  ];
}
