// metav1.MicroTime on the wire: RFC 3339 with exactly six fractional digits. The API server parses
// Lease times with that layout, so a plain Date's three digits would be refused. Structurally a
// client-node V1MicroTime (a Date whose ISO form has microseconds), without importing its runtime.
export class MicroTime extends Date {
  override toISOString(): string {
    return `${super.toISOString().slice(0, -1)}000Z`;
  }

  override toJSON(): string {
    return this.toISOString();
  }
}
