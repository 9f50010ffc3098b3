import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * HTTP API access log line. It contains no request headers or bodies, because those carry
 * vendor tokens and signatures.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export interface WebhookApiProps {
  /** Source ids that get a route `POST /webhooks/{id}`. */
  sourceIds: readonly string[];
  /** The function every route invokes (payload format 2.0). */
  handler: lambda.IFunction;
  /** Steady-state requests per second of the default stage. */
  throttlingRateLimit: number;
  /** Requests the default stage accepts in a burst. */
  throttlingBurstLimit: number;
  /** Retention of the access log group, in days; one of the periods CloudWatch Logs accepts. */
  logRetentionDays: number;
}

/**
 * The HTTP API that vendors post webhooks to, with one route per webhook source, so a
 * request for an unknown source gets API Gateway's 404 without invoking the function.
 */
export class WebhookApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogGroup: logs.LogGroup;
  /** Webhook URL by source id. */
  readonly urls: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);

    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'SecOps Relay webhooks: POST /webhooks/{source}',
      createDefaultStage: false,
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit, burstLimit: props.throttlingBurstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });

    const integration = new HttpLambdaIntegration('Ingest', props.handler);
    const urls: Record<string, string> = {};
    for (const sourceId of props.sourceIds) {
      const path = `/webhooks/${sourceId}`;
      const [route] = this.api.addRoutes({ path, methods: [apigw.HttpMethod.POST], integration });
      if (route !== undefined) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Vendors authenticate each webhook with a shared token or an HMAC signature over the raw body, which the ingest function verifies in constant time. API Gateway authorizers cannot check a signature over the body.',
        });
      }
      urls[sourceId] = `${this.stage.url}webhooks/${sourceId}`;
    }
    this.urls = urls;
  }
}
