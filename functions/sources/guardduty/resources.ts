import { isAwsAccountId } from '../shared/aws.ts';
import type { AwsFindingResource } from '../shared/aws-finding-records.ts';
import type { GuardDutyResource } from './schema.ts';

/**
 * Lists the AWS resources a GuardDuty finding names, each as the configuration item it
 * becomes. EC2 instances are named by instance id and access keys by access key id (else the
 * principal id), the way AWS discovery names them in a CMDB. Buckets, clusters, databases and
 * functions are named by ARN, and a bucket without one by an ARN built from its name. A
 * finding that names none of these, such as one about a whole account, becomes a CI for its
 * account.
 */
export function guardDutyResources(
  resource: GuardDutyResource | null | undefined,
  accountId: string | undefined,
  partition: string,
): AwsFindingResource[] {
  const found: AwsFindingResource[] = [];
  const type = resource?.resourceType ?? 'Unknown';
  const add = (ci: string | null | undefined, ciClass: string, resourceArn?: string | null) => {
    if (typeof ci !== 'string' || ci.trim() === '') return;
    if (found.some((existing) => existing.ci === ci.trim())) return;
    found.push({
      ci: ci.trim(),
      ciClass,
      resourceType: type,
      resourceArn: resourceArn ?? undefined,
    });
  };

  add(resource?.instanceDetails?.instanceId, 'AWS EC2 instance');
  const accessKey = resource?.accessKeyDetails;
  if (accessKey?.accessKeyId) add(accessKey.accessKeyId, 'AWS IAM access key');
  // An assumed role's principal id is "<role id>:<session name>", and session names are often
  // e-mail addresses, so only the role id is kept.
  else add(accessKey?.principalId?.split(':')[0], 'AWS IAM principal');
  for (const bucket of resource?.s3BucketDetails ?? []) {
    const arn = bucket.arn ?? (bucket.name ? `arn:${partition}:s3:::${bucket.name}` : undefined);
    add(arn, 'AWS S3 bucket', arn);
  }
  const eks = resource?.eksClusterDetails;
  add(eks?.arn ?? eks?.name, 'AWS EKS cluster', eks?.arn);
  const ecs = resource?.ecsClusterDetails;
  add(ecs?.arn ?? ecs?.name, 'AWS ECS cluster', ecs?.arn);
  const rds = resource?.rdsDbInstanceDetails;
  add(rds?.dbInstanceArn ?? rds?.dbInstanceIdentifier, 'AWS RDS DB instance', rds?.dbInstanceArn);
  const lambda = resource?.lambdaDetails;
  add(lambda?.functionArn ?? lambda?.functionName, 'AWS Lambda function', lambda?.functionArn);

  if (found.length === 0 && isAwsAccountId(accountId)) add(accountId, 'AWS account');
  return found;
}

/** Returns the user names in a finding's resource, which the relay keeps out of what it forwards. */
export function guardDutyUserNames(resource: GuardDutyResource | null | undefined): string[] {
  return [
    resource?.accessKeyDetails?.userName,
    resource?.kubernetesDetails?.kubernetesUserDetails?.username,
    resource?.rdsDbUserDetails?.user,
  ].filter((name): name is string => typeof name === 'string');
}
