/**
 * Makes providers started in parallel register in a fixed order, so the devnet gives the same
 * provider the same id every time: turn i sends its registration only after turn i-1 has handed
 * its own to the node. Anvil mines same-fee transactions in arrival order.
 */
export interface RegistrationTurn {
  /** Resolves when every earlier turn has sent (or given up). */
  wait(): Promise<void>;
  /** This turn has sent its transaction (or will send none); the next may go. */
  done(): void;
}

export function registrationTurns(count: number): RegistrationTurn[] {
  const releases: (() => void)[] = [];
  const gates = Array.from({ length: count }, () => new Promise<void>((resolve) => releases.push(resolve)));
  return gates.map((_, index) => ({
    wait: () => (index === 0 ? Promise.resolve() : gates[index - 1]!),
    done: () => releases[index]!(),
  }));
}
