// DingTalk interactive cards (reference D5): one createAndDeliver per recipient into their chat
// with the app's robot (IM_ROBOT), callbacks over Stream. The card's outTrackId is derived from
// the message's idem key and stored in external_id, so the callback side can find and update
// (PUT /v1.0/card/instances) exactly this card; taps are handled there, not here.
import type { BotPayload } from '../../../server/src/contracts/bot';
import type { DingtalkClient } from '../../../server/src/modules/messenger/dingtalk/dingtalk.client';
import { MessengerError } from '../../../server/src/modules/messenger/messenger-error';
import type { ChannelSender, RowOutcome } from './channel';
import { absoluteUrl, messageRef, truncateChars } from './format';
import { dingtalkAppLink } from './dingtalk-notice';
import { isCardUpdate, sendCardUpdate, type CardLookup } from './card-update';

const API = '/v1.0/card/instances/createAndDeliver';

/**
 * cardParamMap takes strings only; the template (卡片平台) binds these variables:
 * title, text, markdown, url (DingTalk app link), pcUrl, fields (JSON [{label,value}]),
 * buttons (JSON [{key,text,style}]), status ("pending" until the callback side updates it).
 */
export function renderDingtalkCard(p: BotPayload, o: { cardTemplateId: string; outTrackId: string; userId: string; corpId: string; agentId: number; publicUrl: string }) {
  const url = p.url ?? '/';
  return {
    cardTemplateId: o.cardTemplateId,
    outTrackId: o.outTrackId,
    callbackType: 'STREAM',
    cardData: {
      cardParamMap: {
        title: truncateChars(p.title, 64),
        text: p.text,
        markdown: p.markdown ?? p.text,
        url: dingtalkAppLink(o, url),
        pcUrl: absoluteUrl(o.publicUrl, url),
        fields: JSON.stringify(p.fields ?? []),
        // A link button (`url` set) opens the H5 page in DingTalk instead of calling back.
        buttons: JSON.stringify((p.buttons ?? []).map((b) => ({ key: b.key, text: b.text, style: b.style ?? 'default', ...(b.link && b.url ? { url: dingtalkAppLink(o, b.url) } : {}) }))),
        status: 'pending',
      },
    },
    imRobotOpenSpaceModel: { supportForward: false },
    imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' },
    openSpaceId: `dtv1.card//IM_ROBOT.${o.userId}`,
    userIdType: 1,
  };
}

interface DeliverAnswer {
  success?: boolean;
  result?: { outTrackId?: string; deliverResults?: { spaceId?: string; success?: boolean; errorMsg?: string }[] };
}

/** `cards` finds the card a 'card_update' row changes (see card-update.ts). */
export function dingtalkCardChannel(client: DingtalkClient, publicUrl: string, cards?: { lookup: CardLookup; now: () => number }): ChannelSender {
  const cfg = client.config;
  return {
    channel: 'dingtalk_card',
    maxRecipients: 1,
    batchable: () => false,
    async send(rows) {
      const out = new Map<number, RowOutcome>();
      for (const r of rows) {
        if (isCardUpdate(r)) {
          out.set(r.id, await sendCardUpdate('dingtalk', r, cards?.lookup, cards?.now() ?? Date.now(), async (card) => {
            await client.api('PUT', '/v1.0/card/instances', { outTrackId: card.externalId, cardData: { cardParamMap: { status: r.payload.title } }, cardUpdateOptions: { updateCardDataByKey: true } });
          }));
          continue;
        }
        const outTrackId = messageRef(r.idemKey);
        const body = renderDingtalkCard(r.payload, { cardTemplateId: cfg.cardTemplateId, outTrackId, userId: r.recipient, corpId: cfg.corpId, agentId: cfg.agentId, publicUrl });
        try {
          const res = await client.api<DeliverAnswer>('POST', API, body);
          const failed = (res.result?.deliverResults ?? []).find((d) => d.success === false);
          out.set(
            r.id,
            failed
              ? { outcome: 'failed', error: new MessengerError('dingtalk', 'DELIVER_FAILED', 'permanent', failed.errorMsg ?? '卡片投放失败', { api: API }) }
              : { outcome: 'sent', externalId: outTrackId },
          );
        } catch (err) {
          // A card already created under this outTrackId (a resend after a crash) is delivered.
          if (err instanceof MessengerError && /outtrackid/i.test(`${err.code} ${err.message}`) && /exist|duplicat|重复/i.test(`${err.code} ${err.message}`)) {
            out.set(r.id, { outcome: 'sent', externalId: outTrackId, note: { code: err.code, message: '卡片此前已创建并投放' } });
          } else if (rows.length === 1) {
            throw err;
          } else {
            out.set(r.id, { outcome: 'failed', error: err as MessengerError });
          }
        }
      }
      return out;
    },
  };
}
