export { localAwsEnv, LOCAL_CREDENTIALS, LOCAL_REGION, secretsManagerClient, lambdaClient, iamClient } from './aws.ts';
export { freePort } from './freePort.ts';
export { instrumentClient, type ClientProbe } from './instrumentedClient.ts';
export {
  appendCapturedOutput,
  capturedOutput,
  findLeaks,
  installLogCapture,
  rememberedSecretCount,
  rememberSecret,
  rememberSecretJson,
} from './logCapture.ts';
export { startMoto, type MotoServer } from './moto.ts';
export { localDir, node22Binary, repoRoot, zipPath } from './paths.ts';
export { ensureRotationFunction } from './rotationFunction.ts';
export {
  RotationFailedError,
  RotationService,
  STEPS,
  type InvokeFunction,
  type RotationInvocation,
  type RotationResult,
  type RotationServiceOptions,
  type Step,
} from './rotationService.ts';
export { createSecret, plantUnlabelled, readSecret } from './secrets.ts';
export { startZipFunction, ZipInvocationError, type ZipFunction } from './zipFunction.ts';
export { createTestCertificates, type TestCertificates } from './tls.ts';
export {
  keyStatus,
  startKeyApi,
  type AccountOptions,
  type FaultRule,
  type KeyApiFault,
  type KeyApiOptions,
  type KeyApiRequest,
  type KeyApiServer,
  type KeyRecord,
} from './keyApi.ts';
export { canLogin, startPostgres, type PostgresServer } from './postgres.ts';
export { startMariaDb, type MariaDbServer } from './mariadb.ts';
export {
  pendingFieldCases,
  plantPending,
  UNKNOWN_FIELD,
  type ObjectSchemaLike,
  type PendingFieldCase,
} from './pendingFields.ts';
export { startFakeMysqlServer, type FakeMysqlConnection, type FakeMysqlServer } from './fakeMysqlServer.ts';
export { startFakePostgresWithoutTls, type FakePostgresServer } from './fakePostgresServer.ts';
// The reliability proof (issue #16; README "Reliability proof").
export {
  CaseRun,
  discoverSubjects,
  enumerateFaults,
  FULL_SCALE,
  HOSTILE_CASES,
  ProofTargets,
  renderReliability,
  REPORT_LEAK_HITS,
  RetryingRotationService,
  runHostile,
  runLoad,
  runOverlap,
  runProof,
  SCHEDULES,
  TEST_SCALE,
  type ProofResult,
  type ProofScale,
  type ProofSubject,
  type RotatorProof,
} from './proof/index.ts';
