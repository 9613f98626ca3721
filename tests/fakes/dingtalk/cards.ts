// Fake DingTalk interactive cards (reference D5) on the new API (header token checked by the
// core): POST /v1.0/card/instances/createAndDeliver needs a known cardTemplateId, a unique
// outTrackId, string-only cardParamMap values and a valid openSpaceId; PUT /v1.0/card/instances
// updates only a known outTrackId. Error codes and the answer's shape are not in the reference:
// HTTP 400 {code, message} like the other new-API errors, `result.deliverResults[]` [unconfirmed].
import crypto from 'node:crypto';
import type { FakeDingtalk } from './fake-dingtalk';

export interface CardInstance {
  outTrackId: string;
  cardTemplateId: string;
  spaceType: string;
  spaceId: string;
  params: Record<string, string>;
  createdAt: number;
  updates: { params: Record<string, string>; at: number }[];
}

export interface DingtalkCardsFake {
  templates: Set<string>;
  cards: Map<string, CardInstance>;
  /** Cards delivered to each user's robot chat (IM_ROBOT). */
  deliveredTo(userId: string): CardInstance[];
}

const bad = (code: string, message: string) => ({ status: 400, json: { code, message, requestid: crypto.randomUUID() } });

function stringMap(v: unknown): Record<string, string> | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  return Object.values(v).every((x) => typeof x === 'string') ? (v as Record<string, string>) : null;
}

export function installCards(fake: FakeDingtalk, opts: { templates?: string[] } = {}): DingtalkCardsFake {
  const state: DingtalkCardsFake = {
    templates: new Set(opts.templates ?? ['fake-approval-card.schema']),
    cards: new Map(),
    deliveredTo: (u) => [...state.cards.values()].filter((c) => c.spaceType === 'IM_ROBOT' && c.spaceId === u),
  };

  fake.onApi('POST', '/v1.0/card/instances/createAndDeliver', (req) => {
    const b = req.body;
    if (!b || typeof b !== 'object') return bad('MissingParameter', 'body is mandatory');
    if (typeof b.cardTemplateId !== 'string' || !state.templates.has(b.cardTemplateId)) return bad('InvalidParameter.CardTemplateId', 'cardTemplateId 不存在');
    if (typeof b.outTrackId !== 'string' || !b.outTrackId || b.outTrackId.length > 128) return bad('MissingParameter', 'outTrackId is mandatory');
    if (state.cards.has(b.outTrackId)) return bad('InvalidParameter.OutTrackId', 'outTrackId already exists');
    const params = stringMap(b.cardData?.cardParamMap);
    if (!params) return bad('InvalidParameter.CardData', 'cardParamMap values must be strings');
    if (b.callbackType !== undefined && b.callbackType !== 'STREAM' && b.callbackType !== 'HTTP') return bad('InvalidParameter.CallbackType', 'callbackType');
    const m = /^dtv1\.card\/\/(IM_ROBOT|IM_GROUP)\.(.+)$/.exec(String(b.openSpaceId ?? ''));
    if (!m) return bad('InvalidParameter.OpenSpaceId', 'openSpaceId 格式错误');
    const [, spaceType, spaceId] = m;
    if (spaceType === 'IM_ROBOT' && b.imRobotOpenDeliverModel?.spaceType !== 'IM_ROBOT') return bad('MissingParameter', 'imRobotOpenDeliverModel');
    const known = spaceType !== 'IM_ROBOT' || fake.users.get(spaceId)?.active === true;
    if (known) {
      state.cards.set(b.outTrackId, { outTrackId: b.outTrackId, cardTemplateId: b.cardTemplateId, spaceType, spaceId, params, createdAt: fake.clock.ms, updates: [] });
    }
    return {
      status: 200,
      json: {
        success: true,
        result: { outTrackId: b.outTrackId, deliverResults: [{ spaceType, spaceId, success: known, ...(known ? { carrierId: crypto.randomUUID() } : { errorMsg: '用户不存在' }) }] },
      },
    };
  });

  fake.onApi('PUT', '/v1.0/card/instances', (req) => {
    const b = req.body;
    const card = typeof b?.outTrackId === 'string' ? state.cards.get(b.outTrackId) : undefined;
    if (!card) return bad('InvalidParameter.OutTrackId', 'outTrackId 不存在');
    const params = stringMap(b.cardData?.cardParamMap);
    if (!params) return bad('InvalidParameter.CardData', 'cardParamMap values must be strings');
    card.updates.push({ params, at: fake.clock.ms });
    Object.assign(card.params, params);
    return { status: 200, json: { success: true, result: true } };
  });
  return state;
}
