import { isAwsAccountId, parseArn } from '../shared/aws.ts';
import type { AwsFindingResource } from '../shared/aws-finding-records.ts';
import type { AsffFinding, AsffResource } from './schema.ts';

/** CI classes of the ASFF resource types the relay names; other types keep their ASFF name. */
const CI_CLASSES: Record<string, string> = {
  AwsAccount: 'AWS account',
  AwsEc2Instance: 'AWS EC2 instance',
  AwsEc2SecurityGroup: 'AWS EC2 security group',
  AwsEc2Volume: 'AWS EBS volume',
  AwsEc2Vpc: 'AWS VPC',
  AwsEcsCluster: 'AWS ECS cluster',
  AwsEksCluster: 'AWS EKS cluster',
  AwsIamAccessKey: 'AWS IAM access key',
  AwsIamRole: 'AWS IAM role',
  AwsIamUser: 'AWS IAM user',
  AwsLambdaFunction: 'AWS Lambda function',
  AwsRdsDbInstance: 'AWS RDS DB instance',
  AwsS3Bucket: 'AWS S3 bucket',
  Container: 'Container',
};

const INSTANCE_ID = /(?:^|\/)(i-[0-9a-f]{8,17})$/;
const ACCOUNT_ID = /(?:^|:)(\d{12})$/;
const ACCESS_KEY_ID = /(?:^|:)((?:AKIA|ASIA)[A-Z0-9]{12,124})$/;

/**
 * Lists the resources of a finding as configuration items. They are named as the guardduty
 * source names them, so that one instance reported by both sources lands on one CI. An EC2
 * instance is named by its instance id (from the end of its ARN), an account by its id and an
 * access key by its key id. An IAM user is named by its unique id ("AIDA…") rather than its
 * ARN, which contains the user name. Every other resource keeps its `Id`, usually an ARN. An IAM user without `UserId` is left
 * out and listed in `unnamed` (indexes into `Resources`). A finding left without resources
 * becomes a CI for its account.
 */
export function securityHubResources(
  finding: AsffFinding,
  accountId: string | undefined,
): { resources: AwsFindingResource[]; unnamed: number[] } {
  const resources: AwsFindingResource[] = [];
  const unnamed: number[] = [];
  for (const [index, resource] of finding.Resources.entries()) {
    const named = nameResource(resource);
    if (named === undefined) unnamed.push(index);
    else if (!resources.some((existing) => existing.ci === named.ci)) resources.push(named);
  }
  if (resources.length === 0 && isAwsAccountId(accountId)) {
    resources.push({ ci: accountId, ciClass: CI_CLASSES.AwsAccount!, resourceType: 'AwsAccount' });
  }
  return { resources, unnamed };
}

function nameResource(resource: AsffResource): AwsFindingResource | undefined {
  const type = resource.Type;
  const id = resource.Id.trim();
  const ciClass = CI_CLASSES[type] ?? type;
  const resourceArn = parseArn(id) === undefined ? undefined : id;
  switch (type) {
    case 'AwsEc2Instance': {
      const instanceId = INSTANCE_ID.exec(id)?.[1];
      return { ci: instanceId ?? id, ciClass, resourceType: type, resourceArn };
    }
    case 'AwsAccount':
      return { ci: ACCOUNT_ID.exec(id)?.[1] ?? id, ciClass, resourceType: type };
    case 'AwsIamAccessKey':
      return { ci: ACCESS_KEY_ID.exec(id)?.[1] ?? id, ciClass, resourceType: type };
    case 'AwsIamUser': {
      const userId = resource.Details?.AwsIamUser?.UserId;
      return userId ? { ci: userId, ciClass, resourceType: type } : undefined;
    }
    default:
      return { ci: id, ciClass, resourceType: type, resourceArn };
  }
}

/** Returns the user names in a finding's resources, which the relay keeps out of what it forwards. */
export function securityHubUserNames(finding: AsffFinding): string[] {
  const names: (string | null | undefined)[] = [];
  for (const resource of finding.Resources) {
    names.push(
      resource.Details?.AwsIamAccessKey?.UserName,
      resource.Details?.AwsIamAccessKey?.PrincipalName,
      resource.Details?.AwsIamUser?.UserName,
    );
    if (resource.Type === 'AwsIamUser')
      names.push(/:user\/(?:.*\/)?([^/]+)$/.exec(resource.Id)?.[1]);
  }
  return names.filter((name): name is string => typeof name === 'string');
}
