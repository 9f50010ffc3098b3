import type { Template } from 'aws-cdk-lib/assertions';

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Returns the logical id of the one function whose logical id starts with `prefix`, such as "RelayIngest". */
export function functionLogicalId(template: Template, prefix: string): string {
  const ids = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) =>
    id.startsWith(prefix),
  );
  if (ids.length !== 1)
    throw new Error(`expected one function starting with ${prefix}, found ${ids.join(', ')}`);
  return ids[0]!;
}

/** Returns every statement of the IAM policies attached to a function's execution role. */
export function roleStatements(template: Template, functionId: string): PolicyStatement[] {
  const fn = template.findResources('AWS::Lambda::Function')[functionId]!;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some(
      (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
    ),
  );
  return policies.flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
  );
}

/** Returns every statement of every IAM policy in the template. */
export function allStatements(template: Template): PolicyStatement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as PolicyStatement[],
  );
}

export function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: PolicyStatement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Returns the statements that grant at least one action of a service prefix, such as "sqs". */
export function statementsFor(statements: PolicyStatement[], service: string): PolicyStatement[] {
  return statements.filter((statement) =>
    actionsOf(statement).some((action) => action.startsWith(`${service}:`)),
  );
}

/** Returns the secret names that statements grant access to, read from `...:secret:<name>-??????` ARNs. */
export function grantedSecretNames(statements: PolicyStatement[]): string[] {
  return statementsFor(statements, 'secretsmanager')
    .flatMap(resourcesOf)
    .map(
      (resource) =>
        /:secret:([^"]+)-\?{6}/.exec(JSON.stringify(resource))?.[1] ?? JSON.stringify(resource),
    )
    .sort();
}
