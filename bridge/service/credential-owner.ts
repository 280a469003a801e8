/** Owner names of the stored secrets: an account's or a job's, per side ("account:<id>:" covers both sides). */
export const credentialOwner = {
  accountSource: (accountId: string) => `account:${accountId}:source`,
  accountTarget: (accountId: string) => `account:${accountId}:target`,
  account: (accountId: string) => `account:${accountId}:`,
  jobSourceAdmin: (jobId: string) => `job:${jobId}:source-admin`,
  jobTargetAdmin: (jobId: string) => `job:${jobId}:target-admin`,
  job: (jobId: string) => `job:${jobId}:`,
};
