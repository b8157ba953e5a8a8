// The state half of the LiveKit contract server: rooms, participants, ingresses and egresses,
// and the RPCs over them with LiveKit's grant checks, validations and errors
// (pkg/service/roomservice.go, ingress.go, egress.go; the default limits of config.LimitConfig).
// Replies are protojson as Twirp writes them: proto (snake_case) names, every field emitted,
// 64-bit integers as strings, enums by name.

import { randomBytes } from 'node:crypto';
import {
  TwirpFailure,
  enumField,
  ensure,
  numberField,
  stringField,
  type Grants,
} from './contract-twirp.js';

/** LiveKit's default limits (config.LimitConfig): room name, identity and metadata sizes. */
export const MAX_ROOM_NAME_LENGTH = 256;
export const MAX_PARTICIPANT_IDENTITY_LENGTH = 256;
export const MAX_METADATA_BYTES = 64_000;

const INGRESS_INPUTS = ['RTMP_INPUT', 'WHIP_INPUT', 'URL_INPUT'] as const;
const STREAM_PROTOCOLS = ['DEFAULT_PROTOCOL', 'RTMP', 'SRT'] as const;

export interface RoomRecord {
  sid: string;
  name: string;
  metadata: string;
  emptyTimeout: number;
  creationTime: number;
  participants: Map<string, ParticipantRecord>;
}

export interface ParticipantRecord {
  sid: string;
  identity: string;
  name: string;
  joinedAt: number;
  canPublish: boolean;
  canSubscribe: boolean;
  canPublishData: boolean;
}

export interface IngressRecord {
  ingressId: string;
  name: string;
  streamKey: string;
  url: string;
  inputType: (typeof INGRESS_INPUTS)[number];
  roomName: string;
  participantIdentity: string;
  participantName: string;
  status: 'ENDPOINT_INACTIVE' | 'ENDPOINT_PUBLISHING';
}

export interface EgressRecord {
  egressId: string;
  roomName: string;
  roomId: string;
  urls: string[];
  protocol: string;
  status: 'EGRESS_STARTING' | 'EGRESS_ACTIVE' | 'EGRESS_COMPLETE';
  startedAt: number;
}

/** A webhook to send: the event's name and its protojson fields. */
export type WebhookDraft = { event: string } & Record<string, unknown>;

export type Json = Record<string, unknown>;

const guid = (prefix: string) => prefix + randomBytes(9).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

export class ContractRooms {
  readonly rooms = new Map<string, RoomRecord>();
  readonly ingresses = new Map<string, IngressRecord>();
  readonly egresses = new Map<string, EgressRecord>();
  readonly #emit: (draft: WebhookDraft) => void;
  readonly #whipBaseUrl: () => string;

  constructor(emit: (draft: WebhookDraft) => void, whipBaseUrl: () => string) {
    this.#emit = emit;
    this.#whipBaseUrl = whipBaseUrl;
  }

  /** Runs one RPC; undefined when this server does not implement it (`bad_route`). */
  rpc(service: string, method: string, g: Grants | undefined, body: Json): Json | undefined {
    const handler = this.#handlers[`${service}/${method}`];
    return handler?.(g, body);
  }

  readonly #handlers: Record<string, (g: Grants | undefined, body: Json) => Json> = {
    'RoomService/CreateRoom': (g, body) => {
      ensure.create(g);
      const name = stringField(body, 'name');
      const metadata = stringField(body, 'metadata');
      if (name.length > MAX_ROOM_NAME_LENGTH)
        throw new TwirpFailure(
          'invalid_argument',
          `room name length exceeds limits: max length ${MAX_ROOM_NAME_LENGTH}`,
        );
      checkMetadata(metadata);
      // The real server then asks its router; an empty name is refused there.
      if (name === '') throw new TwirpFailure('invalid_argument', 'no room name');
      let room = this.rooms.get(name);
      if (!room) {
        room = {
          sid: guid('RM_'),
          name,
          metadata,
          emptyTimeout: numberField(body, 'empty_timeout'),
          creationTime: nowS(),
          participants: new Map(),
        };
        this.rooms.set(name, room);
        this.#emit({ event: 'room_started', room: roomJson(room, false) });
      }
      // An existing room is answered as it is: CreateRoom does not update it.
      return roomJson(room);
    },
    'RoomService/ListRooms': (g, body) => {
      ensure.list(g);
      const names = (body['names'] as unknown[] | undefined) ?? [];
      const rooms = [...this.rooms.values()].filter(
        (r) => names.length === 0 || names.includes(r.name),
      );
      return { rooms: rooms.map((r) => roomJson(r)) };
    },
    'RoomService/DeleteRoom': (g, body) => {
      ensure.create(g);
      this.deleteRoom(this.#room(stringField(body, 'room')).name);
      return {};
    },
    'RoomService/UpdateRoomMetadata': (g, body) => {
      const metadata = stringField(body, 'metadata');
      checkMetadata(metadata);
      const room = stringField(body, 'room');
      ensure.admin(g, room);
      const record = this.#room(room);
      record.metadata = metadata;
      return roomJson(record);
    },
    'RoomService/ListParticipants': (g, body) => {
      const room = stringField(body, 'room');
      ensure.admin(g, room);
      const record = this.#room(room);
      return { participants: [...record.participants.values()].map((p) => participantJson(p)) };
    },
    'RoomService/RemoveParticipant': (g, body) => {
      const room = stringField(body, 'room');
      const identity = stringField(body, 'identity');
      ensure.admin(g, room);
      if (!this.leave(room, identity))
        throw new TwirpFailure('not_found', 'participant does not exist');
      return {};
    },
    'Ingress/CreateIngress': (g, body) => {
      const inputType = enumField(body, 'input_type', INGRESS_INPUTS);
      if (inputType === 'URL_INPUT')
        throw new TwirpFailure('unimplemented', 'the contract server has no URL ingress');
      ensure.ingressAdmin(g);
      const roomName = stringField(body, 'room_name');
      const participantIdentity = stringField(body, 'participant_identity');
      // ingress.ValidateForSerialization: the room and the publisher's identity are required.
      if (roomName === '') throw new TwirpFailure('invalid_argument', 'no room name');
      if (participantIdentity === '')
        throw new TwirpFailure('invalid_argument', 'no participant identity');
      const info: IngressRecord = {
        ingressId: guid('IN_'),
        name: stringField(body, 'name'),
        streamKey: randomBytes(12).toString('base64url'),
        url: inputType === 'WHIP_INPUT' ? this.#whipBaseUrl() : 'rtmp://127.0.0.1/x',
        inputType,
        roomName,
        participantIdentity,
        participantName: stringField(body, 'participant_name'),
        status: 'ENDPOINT_INACTIVE',
      };
      this.ingresses.set(info.ingressId, info);
      return ingressJson(info);
    },
    'Ingress/ListIngress': (g, body) => {
      ensure.ingressAdmin(g);
      const roomName = stringField(body, 'room_name');
      const id = stringField(body, 'ingress_id');
      const items = [...this.ingresses.values()].filter(
        (i) => (roomName === '' || i.roomName === roomName) && (id === '' || i.ingressId === id),
      );
      return { items: items.map((i) => ingressJson(i)) };
    },
    'Ingress/DeleteIngress': (g, body) => {
      ensure.ingressAdmin(g);
      const id = stringField(body, 'ingress_id');
      const info = this.ingresses.get(id);
      if (!info) throw new TwirpFailure('not_found', 'ingress does not exist');
      this.ingresses.delete(id);
      return ingressJson(info);
    },
    'Egress/StartRoomCompositeEgress': (g, body) => {
      ensure.record(g);
      const roomName = stringField(body, 'room_name');
      const outputs = (body['streamOutputs'] ?? body['stream_outputs'] ?? []) as Json[];
      if (!Array.isArray(outputs) || outputs.length !== 1)
        throw new TwirpFailure('invalid_argument', 'exactly one stream output is supported here');
      const output = outputs[0]!;
      const protocol = enumField(output, 'protocol', STREAM_PROTOCOLS);
      const urls = (output['urls'] ?? []) as unknown[];
      const scheme = protocol === 'SRT' ? /^srt:\/\// : /^rtmps?:\/\//;
      if (urls.length === 0 || !urls.every((u) => typeof u === 'string' && scheme.test(u)))
        throw new TwirpFailure('invalid_argument', `stream urls must match the ${protocol} scheme`);
      const room = this.#room(roomName);
      const info: EgressRecord = {
        egressId: guid('EG_'),
        roomName,
        roomId: room.sid,
        urls: urls as string[],
        protocol,
        status: 'EGRESS_STARTING',
        startedAt: nowS(),
      };
      this.egresses.set(info.egressId, info);
      this.#emit({ event: 'egress_started', egressInfo: egressJson(info) });
      return egressJson(info);
    },
    'Egress/ListEgress': (g, body) => {
      ensure.record(g);
      const roomName = stringField(body, 'room_name');
      const items = [...this.egresses.values()].filter(
        (e) => roomName === '' || e.roomName === roomName,
      );
      return { items: items.map((e) => egressJson(e)) };
    },
    'Egress/StopEgress': (g, body) => {
      ensure.record(g);
      const info = this.egresses.get(stringField(body, 'egress_id'));
      if (!info) throw new TwirpFailure('not_found', 'egress does not exist');
      if (info.status === 'EGRESS_COMPLETE')
        throw new TwirpFailure(
          'failed_precondition',
          'egress with status EGRESS_COMPLETE cannot be stopped',
        );
      info.status = 'EGRESS_COMPLETE';
      this.#emit({ event: 'egress_ended', egressInfo: egressJson(info) });
      return egressJson(info);
    },
  };

  #room(name: string): RoomRecord {
    const room = this.rooms.get(name);
    if (!room) throw new TwirpFailure('not_found', 'requested room does not exist');
    return room;
  }

  /** A participant connects (what the SFU's /rtc would admit). Replaces a same-identity one. */
  join(room: string, p: Omit<ParticipantRecord, 'sid' | 'joinedAt'>): ParticipantRecord {
    const record = this.#room(room);
    this.leave(room, p.identity);
    const participant = { ...p, sid: guid('PA_'), joinedAt: nowS() };
    record.participants.set(p.identity, participant);
    this.#emit({
      event: 'participant_joined',
      room: roomJson(record, false),
      participant: participantJson(participant, false),
    });
    return participant;
  }

  /** A participant goes (removed, or hung up). False when it was not there. */
  leave(room: string, identity: string): boolean {
    const record = this.rooms.get(room);
    const participant = record?.participants.get(identity);
    if (!record || !participant) return false;
    record.participants.delete(identity);
    this.#emit({
      event: 'participant_left',
      room: roomJson(record, false),
      participant: participantJson(participant, false),
    });
    return true;
  }

  deleteRoom(name: string): void {
    const room = this.#room(name);
    for (const identity of [...room.participants.keys()]) this.leave(name, identity);
    this.rooms.delete(name);
    this.#emit({ event: 'room_finished', room: roomJson(room, false) });
  }

  /** The ingress's encoder starts or stops publishing (a WHIP session the SFU would hold). */
  setPublishing(ingressId: string, publishing: boolean): void {
    const info = this.ingresses.get(ingressId);
    if (!info) throw new Error(`no ingress ${ingressId}`);
    info.status = publishing ? 'ENDPOINT_PUBLISHING' : 'ENDPOINT_INACTIVE';
    this.#emit({
      event: publishing ? 'ingress_started' : 'ingress_ended',
      ingressInfo: ingressJson(info, false),
    });
  }
}

function checkMetadata(metadata: string): void {
  if (Buffer.byteLength(metadata) > MAX_METADATA_BYTES)
    throw new TwirpFailure('invalid_argument', 'metadata size exceeds limits');
}

// `snake` true: a Twirp reply (proto names); false: a webhook body (protojson's JSON names).
const key = (snake: boolean, proto: string) =>
  snake ? proto : proto.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function shape(snake: boolean, fields: Json): Json {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [key(snake, k), v]));
}

export function roomJson(r: RoomRecord, snake = true): Json {
  return shape(snake, {
    sid: r.sid,
    name: r.name,
    empty_timeout: r.emptyTimeout,
    departure_timeout: 0,
    max_participants: 0,
    creation_time: String(r.creationTime),
    creation_time_ms: String(r.creationTime * 1000),
    turn_password: '',
    enabled_codecs: [],
    metadata: r.metadata,
    num_participants: r.participants.size,
    num_publishers: [...r.participants.values()].filter((p) => p.canPublish).length,
    active_recording: false,
  });
}

export function participantJson(p: ParticipantRecord, snake = true): Json {
  return shape(snake, {
    sid: p.sid,
    identity: p.identity,
    state: 'ACTIVE',
    tracks: [],
    metadata: '',
    joined_at: String(p.joinedAt),
    name: p.name,
    version: 1,
    permission: shape(snake, {
      can_subscribe: p.canSubscribe,
      can_publish: p.canPublish,
      can_publish_data: p.canPublishData,
      hidden: false,
    }),
    region: '',
    is_publisher: false,
    kind: 'STANDARD',
  });
}

export function ingressJson(i: IngressRecord, snake = true): Json {
  return shape(snake, {
    ingress_id: i.ingressId,
    name: i.name,
    stream_key: i.streamKey,
    url: i.url,
    input_type: i.inputType,
    bypass_transcoding: false,
    enable_transcoding: false,
    room_name: i.roomName,
    participant_identity: i.participantIdentity,
    participant_name: i.participantName,
    participant_metadata: '',
    reusable: true,
    state: shape(snake, { status: i.status, error: '', room_id: '', tracks: [] }),
    enabled: true,
  });
}

export function egressJson(e: EgressRecord, snake = true): Json {
  return shape(snake, {
    egress_id: e.egressId,
    room_id: e.roomId,
    room_name: e.roomName,
    status: e.status,
    started_at: String(e.startedAt * 1e9),
    ended_at: '0',
    updated_at: String(e.startedAt * 1e9),
    error: '',
    stream_results: e.urls.map((url) => shape(snake, { url, status: 'ACTIVE' })),
  });
}
