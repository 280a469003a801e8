/**
 * The published migration guides the provider tables quote. A value with confidence 'guide'
 * names one of them in its source as `guide:<id>` (section numbers in brackets are the guide's).
 */
export const MIGRATION_GUIDES = {
  /** Alibaba Mail help centre, 邮箱搬家 (the admin's migration steps, 准备工作清单, 文件夹映射模式 / 统一存储模式). */
  'alimail-migration': '阿里邮箱帮助中心「邮箱搬家」',
  /** 中企动力 (CE Net), 邮箱搬家之原邮箱注意事项, October 2023: per source provider (原腾讯用户, 原网易用户, …). */
  'ce-net-notes': '中企动力「邮箱搬家之原邮箱注意事项」（2023 年 10 月）',
  /** A step-by-step guide for moving from Alibaba Cloud enterprise mail to Tencent Exmail. */
  'aliyun-to-exmail': '阿里云企业邮箱迁移到腾讯企业邮操作步骤',
  /** An article on Alibaba Cloud enterprise mail migration steps and caveats. */
  'aliyun-migration-article': '「阿里云企业邮箱迁移操作步骤与注意事项全解析」',
  /** An Alibaba enterprise-mail reseller's article on switching on 邮件搬家, November 2019. */
  'alimail-reseller-2019': '「阿里企业邮箱邮件搬家如何开启」（2019 年 11 月）',
} as const;

export type MigrationGuideId = keyof typeof MIGRATION_GUIDES;
