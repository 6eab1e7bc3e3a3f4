// Ways the simulated host can misbehave on purpose, so that tests can check how a client
// copes with a hostile or broken host. Settable at start and at run time; all off by default.

export interface Misbehaviour {
  /** Pairing presents as plaincert a certificate whose key did not sign the pairing secret. */
  mitm?: boolean;
  /** Phase 1 answers paired=1 without plaincert, as GFE does while another client pairs. */
  busyPairing?: boolean;
  /** Delay before every answer on the GameStream ports. */
  slowMs?: number;
  /** XML answers are cut short and garbled. */
  malformedXml?: boolean;
  /** Every answer on the GameStream ports becomes a body of this many bytes, streamed. */
  oversizedBytes?: number;
  /** An app (by id) is running, started by another client: the host is busy. Applied when set. */
  runningApp?: number;
}

/** What a client sees with `malformedXml`: the first half of the reply, then stray markup. */
export function garbleXml(xml: string): string {
  return `${xml.slice(0, Math.floor(xml.length / 2))}<</root status_code=&>`;
}

/** A body that starts like a GameStream reply and then never ends within any sane limit. */
export function oversizedChunk(index: number, sizeBytes: number): string {
  const head = '<?xml version="1.0" encoding="utf-8"?>\n<root status_code="200"><hostname>';
  const filler = 'A'.repeat(sizeBytes);
  return index === 0 ? head + filler.slice(head.length) : filler;
}
