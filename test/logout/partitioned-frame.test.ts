import { describe, expect, it } from 'vitest';
import { isPartitionedFrame } from '../../src/logout/partitioned-frame.js';

const self = {};
const top = {};

describe('isPartitionedFrame', () => {
  it('a top-level page is never partitioned, whatever the browser says about storage access', async () => {
    await expect(isPartitionedFrame({ top: self, self, hasStorageAccess: async () => false })).resolves.toBe(false);
  });

  it('a frame the browser denies its storage (another site above it) is partitioned', async () => {
    await expect(isPartitionedFrame({ top, self, hasStorageAccess: async () => false })).resolves.toBe(true);
  });

  it('a frame with its storage (same site above it, or third-party storage allowed) is not', async () => {
    await expect(isPartitionedFrame({ top, self, hasStorageAccess: async () => true })).resolves.toBe(false);
  });

  it('without evidence (no Storage Access API, or it fails) it does not claim a partition', async () => {
    await expect(isPartitionedFrame(undefined)).resolves.toBe(false);
    await expect(isPartitionedFrame({ top, self })).resolves.toBe(false);
    await expect(isPartitionedFrame({ top, self, hasStorageAccess: () => Promise.reject(new DOMException('no', 'InvalidStateError')) })).resolves.toBe(false);
  });
});
