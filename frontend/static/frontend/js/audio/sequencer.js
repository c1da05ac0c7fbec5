/**
 * Plays responses strictly one after another, even when several agents stream at once.
 *
 * Responses are played in the order they were created. Only the head response's chunks go to the
 * player; later responses buffer until the head ends. A response ends on
 * `agent_response_audio_done`, on `agent_response_done` (so a provider that never sends
 * audio_done cannot block the queue for good, as it does in AgentScope's page), or when it is
 * dropped by `flush()` / `dropAgent()`.
 */
export class ResponseSequencer {
  constructor(player) {
    this.player = player;
    this.order = []; // response ids, head first
    this.responses = new Map(); // id -> {chunks: [], done, agentId, itemIds: Set}
  }

  entry(responseId, agentId) {
    let entry = this.responses.get(responseId);
    if (!entry) {
      entry = { chunks: [], done: false, agentId, itemIds: new Set() };
      this.responses.set(responseId, entry);
      this.order.push(responseId);
    }
    return entry;
  }

  /** `agent_response_created` reserves the response's place in line. */
  created(responseId, agentId) {
    this.entry(responseId, agentId);
  }

  /** One `agent_response_audio_delta`. */
  audio(event) {
    const entry = this.entry(event.response_id, event.agent_id);
    if (entry.done) return; // late audio after the response was cancelled or finished
    const chunk = { delta: event.delta, rate: event.format?.rate, itemId: event.item_id };
    entry.itemIds.add(event.item_id);
    if (this.order[0] === event.response_id) this.play(chunk);
    else entry.chunks.push(chunk);
  }

  /** `agent_response_audio_done` or `agent_response_done`: nothing more will come for it. */
  done(responseId) {
    const entry = this.responses.get(responseId);
    if (!entry) return;
    entry.done = true;
    this.advance();
  }

  /** Which response is audible now (the page reports its played time on barge-in). */
  current() {
    const id = this.order[0];
    return id ? { responseId: id, ...this.responses.get(id) } : null;
  }

  /** Barge-in or cancel: forget every pending response and silence the player. */
  flush() {
    for (const entry of this.responses.values()) entry.done = true;
    this.order = [];
    return this.player.flush();
  }

  /**
   * The server cancelled one response (`agent_response_cancelled`): silence it now if it is
   * audible, drop its buffered audio otherwise; responses queued behind it still play.
   */
  async cancel(responseId) {
    const entry = this.responses.get(responseId);
    if (!entry) return;
    entry.done = true;
    entry.chunks = [];
    if (this.order[0] === responseId) {
      this.order.shift();
      await this.player.flush();
    } else {
      this.order = this.order.filter((r) => r !== responseId);
    }
    this.advance();
  }

  /** An agent left or failed: its buffered responses must not block the others. */
  dropAgent(agentId) {
    for (const [id, entry] of this.responses) {
      if (entry.agentId === agentId) {
        entry.done = true;
        entry.chunks = [];
        if (this.order[0] !== id) this.order = this.order.filter((r) => r !== id);
      }
    }
    this.advance();
  }

  advance() {
    while (this.order.length) {
      const head = this.responses.get(this.order[0]);
      for (const chunk of head.chunks.splice(0)) this.play(chunk);
      if (!head.done) return;
      for (const itemId of head.itemIds) this.player.endTag(itemId);
      this.order.shift();
    }
  }

  play(chunk) {
    this.player.enqueue(chunk.delta, chunk.rate, chunk.itemId);
  }
}
