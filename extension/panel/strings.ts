/** The launcher's and the panel's own strings (the reused dashboard parts bring theirs). */
import type { Locale } from '../i18n';

/**
 * Kept apart from the UI dictionaries (the launcher in the web page needs only a few of these);
 * the names the popup and the dashboard show too are repeated, and must read the same there
 * (test/unit/extension-panel-terms.test.ts).
 */
export const PANEL_STRINGS = {
  launcherConsole: { en: 'Mailbox migration', zh: '邮箱搬家' },
  launcherTitle: { en: 'Open mailmover: migrate mailboxes into this mail system', zh: '打开 mailmover：把原邮箱搬到本邮件系统' },
  bannerText: { en: 'Moving from another mailbox? Bring your old mail here.', zh: '从其他邮箱换过来？把原邮箱的邮件搬过来。' },
  bannerButton: { en: 'Migrate my mailbox', zh: '搬迁我的邮箱' },
  bannerDismiss: { en: 'Hide', zh: '隐藏' },
  close: { en: 'Close', zh: '关闭' },
  panelTitle: { en: 'mailmover — mailbox migration', zh: 'mailmover — 邮箱搬家' },
  tabNew: { en: 'New migration', zh: '开启搬家' },
  tabJobs: { en: 'Migrations', zh: '搬家任务' },
  tabSelf: { en: 'Migrate my mailbox', zh: '搬迁我的邮箱' },
  badTicket: { en: 'This panel can only be opened from the mailmover button on the page.', zh: '此面板只能从页面上的 mailmover 按钮打开。' },
  notPaired: {
    en: 'This browser is not paired with the bridge yet: click the mailmover icon in the browser’s toolbar and enter the pairing code the bridge printed.',
    zh: '此浏览器尚未与桥接程序配对：请点击浏览器工具栏中的 mailmover 图标，输入桥接程序启动时打印的配对码。',
  },
  bridgeOffline: {
    en: 'The bridge is not running: start it again on the computer it runs on (or ask your administrator to).',
    zh: '桥接程序未在运行：请在运行它的电脑上重新启动（或请管理员启动）。',
  },
  bridgeImpostor: {
    en: 'The program answering on the bridge’s port is not the bridge this browser paired with, so nothing is sent to it: open the mailmover popup for details.',
    zh: '在桥接程序端口上应答的程序不是此浏览器配对的桥接程序，因此不会向它发送任何内容：请打开 mailmover 弹出窗口查看详情。',
  },
  bridgeConnecting: { en: 'Connecting to the bridge…', zh: '正在连接桥接程序…' },
  lastKnown: { en: 'Shown below: the last state the bridge reported ({time}).', zh: '下面显示的是桥接程序最后报告的状态（{time}）。' },
  detected: { en: 'Shown on this page as logged in', zh: '从本页面识别到的登录账号' },
  notDetected: { en: 'We could not see your address on this page: please type it.', zh: '未能在本页面识别到您的邮箱地址，请手动填写。' },
  newAddress: { en: 'Your new address (this mailbox)', zh: '新邮箱地址（本邮箱）' },
  oldAddress: { en: 'Old address', zh: '原邮箱地址' },
  oldServer: { en: 'Old server', zh: '原邮箱服务器' },
  oldServerAuto: { en: 'Set by your administrator’s migration; change it only if your old provider told you another one.', zh: '来自管理员开启的搬家任务；仅当原服务商告知了其他地址时修改。' },
  otherServer: {
    en: 'Your administrator’s migration reads your old mailbox from {server}, and your password is used only there. To migrate from the server entered above, ask your administrator to change the migration’s old server; you can still test it here.',
    zh: '管理员的搬家任务从 {server} 读取原邮箱，您的密码只会用于该服务器。如需从上面填写的服务器搬家，请让管理员修改搬家任务的原邮箱服务器；您仍可在此测试。',
  },
  port: { en: 'Port', zh: '端口' },
  // The subjects of the message on a field typed with full-width characters.
  fullWidthNewAddress: { en: 'Your new address', zh: '“新邮箱地址”' },
  fullWidthOldAddress: { en: 'The old address', zh: '“原邮箱地址”' },
  fullWidthOldServer: { en: 'The old server', zh: '“原邮箱服务器”' },
  fullWidthPort: { en: 'The port', zh: '“端口”' },
  password: { en: 'Old password or authorization code', zh: '原邮箱密码或授权码' },
  passwordHint: { en: 'If your old mailbox uses a client password / authorization code, enter that instead.', zh: '如果原邮箱开启了客户端独立密码/授权码，请填写授权码。' },
  where: { en: 'Where to create one', zh: '在哪里生成' },
  test: { en: 'Test', zh: '测试' },
  testing: { en: 'Testing…', zh: '测试中…' },
  testOk: { en: 'Login works ({folders} folders).', zh: '登录成功（共 {folders} 个文件夹）。' },
  start: { en: 'Start migration', zh: '开始搬家' },
  waitingInvite: { en: 'Your administrator opened “{job}”: your old mailbox is waiting for your password.', zh: '管理员已开启“{job}”：正在等待您提供原邮箱密码。' },
  noInvite: { en: 'No migration was opened for you by your administrator. You can set one up yourself:', zh: '管理员尚未为您开启搬家。您也可以自行设置：' },
  adminRuns: { en: 'Your administrator is migrating this mailbox for you: there is nothing for you to enter.', zh: '管理员正在为您搬迁此邮箱，您无需填写任何信息。' },
  adminWillRun: { en: 'Your administrator has set up the migration of this mailbox; it has not started yet. There is nothing for you to enter.', zh: '管理员已为此邮箱设置搬家，尚未开始。您无需填写任何信息。' },
  adminFailed: { en: 'Your administrator entered the password for this migration: tell them about this error.', zh: '此搬家的密码由管理员填写，请将此错误告知管理员。' },
  ownMigration: { en: 'Set up my own migration', zh: '自行设置搬家' },
  progress: { en: 'Progress', zh: '进度' },
  copied: { en: '{copied} of {total} messages', zh: '已搬 {copied} / {total} 封' },
  notCounted: { en: 'Messages not counted yet', zh: '尚未统计邮件数' },
  enableSite: { en: 'Enable on this site', zh: '在此网站启用' },
  disableSite: { en: 'Disable on this site', zh: '在此网站停用' },
  siteAs: { en: 'This site is', zh: '此网站是' },
  siteConsole: { en: 'an admin console', zh: '管理后台' },
  siteWebmail: { en: 'a webmail', zh: '网页邮箱' },
  siteEnabled: { en: 'Enabled on {origin}', zh: '已在 {origin} 启用' },
  siteBuiltIn: { en: 'mailmover works on this site already.', zh: 'mailmover 已支持此网站。' },
  siteDenied: { en: 'Permission was not granted.', zh: '未获得权限。' },
  obscured: {
    en: 'Something on the page is covering this panel, so its buttons are disabled until it is fully visible again.',
    zh: '页面上有内容遮挡了此面板，在面板重新完全可见之前，其中的按钮已停用。',
  },
} as const;

export type PanelKey = keyof typeof PANEL_STRINGS;

export function ps(locale: Locale, key: PanelKey, params: Record<string, string | number> = {}): string {
  const text: string = PANEL_STRINGS[key][locale === 'zh-CN' ? 'zh' : 'en'];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}
