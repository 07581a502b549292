/**
 * The provider node's fault switches (shared/provider/wire.ts `ProviderFaults`), set in process by
 * `setFaults()` or over the loopback admin endpoint, and consulted where each fault bites. Every
 * fault that fires is counted in the metrics.
 */
import { ProviderFaults } from '../../shared/provider/wire';
import type { ProviderMetrics } from './provider-metrics';

type TargetedFault = 'failStore' | 'corruptServedBytes' | 'truncateServedBytes';
type SwitchFault = 'failPing' | 'stallParking' | 'failPull' | 'outOfSpace';

export class FaultSwitches {
  #faults: ProviderFaults = {};

  constructor(
    private readonly metrics: ProviderMetrics,
    initial: ProviderFaults = {},
  ) {
    this.set(initial);
  }

  /** Replaces every fault; `{}` turns them all off. Throws on an unknown or malformed fault. */
  set(faults: ProviderFaults): void {
    this.#faults = ProviderFaults.parse(faults);
  }

  get current(): ProviderFaults {
    return structuredClone(this.#faults);
  }

  /** Whether an on/off fault is on; counts it as fired when it is. */
  fires(fault: SwitchFault): boolean {
    return this.#count(this.#faults[fault] === true);
  }

  /** Whether a fault that targets all pieces or some CIDs applies to `cid`; counts it when it does. */
  firesFor(fault: TargetedFault, cid: string): boolean {
    const target = this.#faults[fault];
    return this.#count(target === true || (Array.isArray(target) && target.includes(cid)));
  }

  get commitFault(): ProviderFaults['failCommit'] {
    return this.#faults.failCommit;
  }

  get latencyMs(): number {
    return this.#faults.latencyMs ?? 0;
  }

  /** Parking is stalled: checked on every promotion, so not counted as a firing each time. */
  get parkingStalled(): boolean {
    return this.#faults.stallParking === true;
  }

  countFired(): void {
    this.metrics.faultInjected();
  }

  #count(fired: boolean): boolean {
    if (fired) this.metrics.faultInjected();
    return fired;
  }
}
