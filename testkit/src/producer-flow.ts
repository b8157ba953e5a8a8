// The producer's run of a show, end to end over the public surfaces only (HTTP API, WebSocket),
// as issue "Control API and system of record" states it: create an event, take it live, open a
// poll, two fans vote (a second vote from the same fan refused), close it and read the persisted
// result, and delete a chat message that then disappears for everyone, late joiners included.
// Run against the embedded engine and against a sharded cluster (fans on different shards).

import type { PollView, StageView } from '@fanfare/protocol';
import { connectFan, type FanClient } from './fan-client.js';

export interface ProducerFlowOptions {
  apiUrl: string;
  producerToken: string;
  eventId: string;
  /**
   * Shard URLs to spread the fans over (fan i connects to shards[i % n]); absent: the URL the
   * join call hands out.
   */
  shards?: string[];
}

export interface ProducerFlowResult {
  pollId: string;
  /** The persisted result read back from the results endpoint. */
  result: { counts: number[]; total: number };
  /** Largest tally `total` each fan saw before the close. */
  talliesSeen: number[];
  /** What each fan's stage said about the poll after the close. */
  closedStages: PollView[];
  deletedId: string;
  /** The chat a fan joining after the deletion found in its welcome. */
  lateJoinerChat: string[];
  fans: FanClient[];
}

async function api<T>(
  options: ProducerFlowOptions,
  method: string,
  path: string,
  body?: unknown,
  token: string | undefined = options.producerToken,
): Promise<T> {
  const res = await fetch(`${options.apiUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

async function joinFan(options: ProducerFlowOptions, name: string, index: number) {
  const joined = await api<{ token: string; gatewayUrl: string }>(
    options,
    'POST',
    `/v1/events/${options.eventId}/join`,
    { name },
    '',
  );
  const shards = options.shards;
  const url = shards?.length ? shards[index % shards.length]! : joined.gatewayUrl;
  return connectFan(`${url}?token=${joined.token}`);
}

export async function runProducerFlow(options: ProducerFlowOptions): Promise<ProducerFlowResult> {
  const { eventId } = options;
  await api(options, 'POST', '/v1/events', { id: eventId, title: `Show ${eventId}` });
  await api(options, 'POST', `/v1/events/${eventId}/state`, { state: 'live' });

  const fans = [await joinFan(options, 'Ann', 0), await joinFan(options, 'Bob', 1)];
  for (const fan of fans) await fan.next('welcome');

  const { poll } = await api<{ poll: PollView }>(options, 'POST', `/v1/events/${eventId}/polls`, {
    question: 'Who wins?',
    options: ['Red', 'Blue'],
    durationS: 60,
  });
  // Every fan's shard shows the poll (the stage reaches every shard within a second).
  const hasPoll = (stage: StageView, state: string) =>
    stage.polls.some((p) => p.id === poll.id && p.state === state);
  for (const fan of fans) await fan.next('stage', (f) => hasPoll(f.stage, 'open'));

  const [ann, bob] = fans as [FanClient, FanClient];
  ann.send({ type: 'vote', pollId: poll.id, option: 0, ref: 'v1' });
  await ann.next('voted', (f) => f.ref === 'v1');
  ann.send({ type: 'vote', pollId: poll.id, option: 1, ref: 'v2' });
  const refused = await ann.next('error', (f) => f.ref === 'v2');
  if (refused.code !== 'already_voted') throw new Error(`second vote: ${refused.code}`);
  bob.send({ type: 'vote', pollId: poll.id, option: 1, ref: 'v3' });
  await bob.next('voted', (f) => f.ref === 'v3');
  // Tallies are snapshots at most twice a second: wait for one that counts both votes.
  for (const fan of fans) await fan.next('tally', (f) => f.pollId === poll.id && f.total === 2);
  const talliesSeen = fans.map((fan) =>
    Math.max(0, ...fan.frames.flatMap((f) => (f.type === 'tally' ? [f.total] : []))),
  );

  await api(options, 'POST', `/v1/events/${eventId}/polls/${poll.id}/close`, {});
  const closedStages: PollView[] = [];
  for (const fan of fans) {
    const frame = await fan.next('stage', (f) => hasPoll(f.stage, 'closed'));
    closedStages.push(frame.stage.polls.find((p) => p.id === poll.id)!);
  }
  const read = await api<{ poll: PollView }>(
    options,
    'GET',
    `/v1/events/${eventId}/polls/${poll.id}`,
  );
  if (!read.poll.result) throw new Error('the closed poll has no persisted result');

  // Chat, then a moderator deletes one message.
  ann.send({ type: 'chat.send', text: 'keep me', ref: 'c1' });
  await ann.next('ack', (f) => f.ref === 'c1');
  bob.send({ type: 'chat.send', text: 'delete me', ref: 'c2' });
  const doomed = await bob.next('ack', (f) => f.ref === 'c2');
  for (const fan of fans) {
    await fan.next('chat', (f) => f.messages.some((m) => m.id === doomed.id));
  }
  await api(options, 'DELETE', `/v1/events/${eventId}/messages/${doomed.id}`, {
    reason: 'test',
  });
  for (const fan of fans) {
    await fan.next('chat', (f) => (f.deleted ?? []).some((t) => t.id === doomed.id));
  }
  const late = await joinFan(options, 'Cat', 2);
  fans.push(late);
  const welcome = await late.next('welcome');
  return {
    pollId: poll.id,
    result: read.poll.result,
    talliesSeen,
    closedStages,
    deletedId: doomed.id,
    lateJoinerChat: welcome.snapshot.chat.map((m) => m.text),
    fans,
  };
}
