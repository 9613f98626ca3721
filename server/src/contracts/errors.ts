// Stable machine-readable error codes with their default Chinese messages.
export const ERROR_CODES = {
  VALIDATION_FAILED: '提交的信息有误,请检查后重试',
  UNAUTHENTICATED: '请先登录',
  FORBIDDEN: '没有权限执行此操作',
  NOT_FOUND: '记录不存在或无权查看',
  ROUTE_NOT_FOUND: '接口不存在',
  DUPLICATE_CUSTOMER: '该客户已登记',
  INVALID_STAGE_TRANSITION: '不允许的阶段变更',
  CUSTOMER_NOT_IN_POOL: '该客户不在公海中或已被领取',
  CUSTOMER_IN_POOL: '该客户在公海中,请先领取',
  INVALID_ASSIGNEE: '不能分配给该员工',
  DEV_LOGIN_DISABLED: '开发登录未开启',
  USER_DISABLED: '账号已停用,请联系管理员',
  CSRF_REJECTED: '请求来源无法验证,请刷新页面后重试',
  INVALID_SIGNATURE: '签名校验失败',
  STALE_TIMESTAMP: '请求时间戳已过期',
  REPLAYED_REQUEST: '重复的请求',
  IDEMPOTENCY_KEY_REUSED: '幂等键已用于不同的请求',
  UNKNOWN_CHANNEL: '渠道不存在或已停用',
  FIELD_NOT_REVEALABLE: '当前角色无权查看该字段明文',
  PAYLOAD_TOO_LARGE: '请求内容过大',
  MESSENGER_NOT_CONFIGURED: '未接入该消息平台',
  MESSENGER_UNAVAILABLE: '消息平台暂时不可用,请稍后重试',
  SSO_STATE_INVALID: '登录请求已失效,请重新从工作台打开',
  SSO_CODE_INVALID: '登录授权码无效或已使用,请重新从工作台打开',
  MESSENGER_USER_UNKNOWN: '您的账号尚未开通信贷CRM,请联系管理员开通',
  INVALID_URL: '页面地址无效',
  ORG_SYNC_RUNNING: '组织架构正在同步中,请稍后再试',
  BOT_MESSAGE_NOT_RETRYABLE: '该消息当前状态不能重试',
  TEAM_ROBOT_EXISTS: '该团队已配置这个平台的群机器人,请直接修改',
  CALLBACK_REJECTED: '回调校验失败',
  INTERNAL_ERROR: '服务器开小差了,请稍后重试',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
