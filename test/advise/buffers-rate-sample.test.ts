// The busy-time average of an app-limited sample and of an old one were two copies that disagreed: with
// nothing acknowledged past the SYN (bytes_acked 1) the old-sample one said 0 and the app-limited one null
// ("bytes_acked or busy time unknown", which they were not). One busyAverageRate: 0. connectionBuffers says
// what the sample is (rateSample), and buffers-report reads it instead of judging each connection again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appLimitedDeliveryRate, connectionBuffers, staleDeliveryRate } from '../../src/advise/buffers.js';
import { tcp } from '../helpers/fake-snapshot.js';

const info = { rttUs: 1000, deliveryRate: 1e6, bytesSent: 100_000, bytesAcked: 1, busyUs: 2_000_000, lastSendMs: 5000 };

test('busy-time average: nothing acknowledged is 0 for an app-limited and an old sample alike', () => {
  const s = tcp('127.0.0.1:5000', '127.0.0.1:40000', 'ESTABLISHED', { sendQ: 4096, tcpInfo: { ...info, deliveryRateAppLimited: true } });
  assert.equal(staleDeliveryRate(s)?.averageRate, 0);
  assert.equal(appLimitedDeliveryRate(s)?.averageRate, 0);
  assert.equal(appLimitedDeliveryRate(tcp('127.0.0.1:5000', '127.0.0.1:40000', 'ESTABLISHED', { tcpInfo: { ...info, bytesAcked: undefined, deliveryRateAppLimited: true } }))?.averageRate, null);
});

test('connectionBuffers rateSample: stale, app-limited, both, or absent', () => {
  const mk = (lastSendMs: number, appLimited: boolean) => tcp('127.0.0.1:5000', '127.0.0.1:40000', 'ESTABLISHED', { sendQ: 4096, tcpInfo: { ...info, bytesAcked: 50_001, lastSendMs, deliveryRateAppLimited: appLimited } });
  assert.deepEqual(connectionBuffers(mk(5000, true)).rateSample, ['stale', 'app-limited']);
  assert.deepEqual(connectionBuffers(mk(5000, false)).rateSample, ['stale']);
  assert.deepEqual(connectionBuffers(mk(10, true)).rateSample, ['app-limited']);
  assert.equal(connectionBuffers(mk(10, false)).rateSample, undefined);
  // --bandwidth: an app-limited sample is not judged, an old one still is (the verdict says so).
  assert.deepEqual(connectionBuffers(mk(5000, true), 1e7).rateSample, ['stale']);
});
