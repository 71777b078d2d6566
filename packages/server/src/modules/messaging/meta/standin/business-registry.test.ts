import { describe, expect, it } from 'vitest';
import { BusinessRegistry } from './business-registry';

// The stand-in's idea of who owns what: registered ids are strict, the others open to any token.

describe('BusinessRegistry', () => {
  it('lists an open WABA with the open numbers this token looked up, newest first', () => {
    const registry = new BusinessRegistry();
    registry.noteLookup('p1', 'tokenA', 'phone_number');
    registry.noteLookup('p2', 'tokenA', 'phone_number');
    registry.noteLookup('p1', 'tokenA', 'phone_number');
    registry.noteLookup('p3', 'tokenB', 'phone_number');

    expect(registry.access('w-open', 'tokenA')).toBe('open');
    expect(registry.phoneNumbersOf('w-open', 'tokenA')).toEqual(['p1', 'p2']);
    expect(registry.phoneNumbersOf('w-open', 'tokenB')).toEqual(['p3']);
  });

  it('shows a registered WABA and its numbers to its tokens only, with exactly its numbers', () => {
    const registry = new BusinessRegistry();
    registry.registerWaba('w1', ['p1', 'p2'], ['tokenA']);
    registry.noteLookup('p9', 'tokenA', 'phone_number');

    expect(registry.access('w1', 'tokenA')).toBe('granted');
    expect(registry.access('p2', 'tokenA')).toBe('granted');
    expect(registry.access('w1', 'tokenB')).toBe('denied');
    expect(registry.access('p1', 'tokenB')).toBe('denied');
    expect(registry.phoneNumbersOf('w1', 'tokenA')).toEqual(['p1', 'p2']);
    expect(registry.kindOf('p1')).toBe('phone_number');
    expect(registry.wabaOfNumber('p2')).toBe('w1');

    // Sharing the WABA with a second business, and moving a number to another WABA.
    registry.registerWaba('w1', [], ['tokenB']);
    registry.registerWaba('w2', ['p2'], ['tokenA']);
    expect(registry.access('p1', 'tokenB')).toBe('granted');
    expect(registry.phoneNumbersOf('w1', 'tokenA')).toEqual(['p1']);
    expect(registry.wabaOfNumber('p2')).toBe('w2');
  });

  it('leaves registered numbers out of what an open WABA lists', () => {
    const registry = new BusinessRegistry();
    registry.noteLookup('p1', 'tokenA', 'phone_number');
    registry.registerWaba('w1', ['p1'], ['tokenB']);
    expect(registry.phoneNumbersOf('w-open', 'tokenA')).toEqual([]);
  });

  it('puts behind a token its registered Instagram account, else the open one it last looked up', () => {
    const registry = new BusinessRegistry();
    registry.noteLookup('ig1', 'tokenA', 'instagram_account');
    registry.noteLookup('ig2', 'tokenA', 'instagram_account');
    expect(registry.accountBehind('tokenA')).toBe('ig2');

    registry.registerInstagramAccount('ig3', ['tokenA']);
    registry.noteLookup('ig4', 'tokenA', 'instagram_account');
    expect(registry.accountBehind('tokenA')).toBe('ig3');
    expect(registry.access('ig3', 'tokenB')).toBe('denied');
    expect(registry.accountBehind('tokenC')).toBeUndefined();
  });
});
