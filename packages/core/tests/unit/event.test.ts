import { InvalidEventError, parseRotationEvent } from '@rotators/core';
import { describe, expect, it } from 'vitest';

const valid = {
  Step: 'createSecret',
  SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf',
  ClientRequestToken: 'token-1',
};

describe('parseRotationEvent', () => {
  it('accepts the four steps and keeps RotationToken', () => {
    for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(parseRotationEvent({ ...valid, Step, RotationToken: 'rt' })).toEqual({
        ...valid,
        Step,
        RotationToken: 'rt',
      });
    }
  });

  it.each([
    ['Step', { ...valid, Step: undefined }, /No value provided for "Step"/],
    ['Step', { ...valid, Step: 'deleteSecret' }, /"Step" must be one of/],
    ['SecretId', { ...valid, SecretId: undefined }, /No value provided for "SecretId"/],
    ['SecretId', { ...valid, SecretId: '' }, /"SecretId" must be non-empty printable ASCII/],
    [
      'ClientRequestToken',
      { ...valid, ClientRequestToken: 'tok\nen' },
      /"ClientRequestToken" must be non-empty printable ASCII/,
    ],
    ['ClientRequestToken', { ...valid, ClientRequestToken: 42 }, /"ClientRequestToken" must be a string/],
    ['RotationToken', { ...valid, RotationToken: 42 }, /"RotationToken" must be a string/],
  ])('rejects a bad %s with a typed error naming it', (field, event, message) => {
    const error = captureError(() => parseRotationEvent(event));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
  });

  it('names the secret when the SecretId is usable', () => {
    const error = captureError(() => parseRotationEvent({ ...valid, Step: 'nope' })) as Error;
    expect(error.message).toContain(valid.SecretId);
  });

  it('forwards RotationToken without judging it, and treats null or empty as none', () => {
    expect(parseRotationEvent({ ...valid, RotationToken: 'tok/é+=' }).RotationToken).toBe('tok/é+=');
    expect(parseRotationEvent({ ...valid, RotationToken: null })).toEqual(valid);
    expect(parseRotationEvent({ ...valid, RotationToken: '' })).toEqual(valid);
    expect('RotationToken' in parseRotationEvent({ ...valid, RotationToken: '' })).toBe(false);
  });

  it('never echoes a RotationToken value', () => {
    const error = captureError(() =>
      parseRotationEvent({ ...valid, Step: 'bogus', RotationToken: 'sensitive-rotation-token' }),
    ) as Error;
    expect(error.message).not.toContain('sensitive-rotation-token');
  });

  it('rejects a non-object event', () => {
    for (const event of [null, 'createSecret', [valid]]) {
      expect(captureError(() => parseRotationEvent(event))).toBeInstanceOf(InvalidEventError);
    }
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
