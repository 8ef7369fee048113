/** The reliability proof (issue #16): `@rotators/testkit/proof`. See README "Reliability proof". */
export { enumerateFaults, type EnumerationResult, type FaultCase } from './callPoints.ts';
export { CaseRun, finalProblems, type ProofContext } from './harness.ts';
export { casesFor, namedFields, runHostile, type HostileOutcome } from './hostile.ts';
export { HOSTILE_CASES, type HostileCase } from './hostileCases.ts';
export { scanForLeaks, type LeakScan } from './leaks.ts';
export { runLoad, type LoadOptions, type LoadResult } from './load.ts';
export { LockoutProbe, type Observation } from './lockoutProbe.ts';
export { runOverlap, SCHEDULES, type OverlapOutcome } from './overlap.ts';
export { CallRecorder, callPointsOf, recordSecretsManager, type CallPoint } from './recorder.ts';
export { discoverSubjects, rotatorPackages, type ProofSubject, type RotatorLike } from './registry.ts';
export { renderReliability, REPORT_LEAK_HITS, type ReportEnvironment } from './report.ts';
export { RetryingRotationService, type RotationOutcome } from './retryingService.ts';
export { FULL_SCALE, runProof, TEST_SCALE, type ProofResult, type ProofScale, type RotatorProof } from './run.ts';
export { ProofTargets, targetKind } from './targets.ts';
export { SimulatedCrash } from './faults.ts';
export type { CallRecord, Channel, FaultKind, Strategy, TargetKind } from './types.ts';
export type { Fixture } from './fixture.ts';
