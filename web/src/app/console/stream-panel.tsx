// The event's video: the ingest address and the stream's status from the media process
// (`GET /v1/events/{id}/stream`, every STREAM_REFRESH_MS until it fails), a stream key made or rotated on demand
// (`POST`, shown once, here only), and the WebRTC tier's seat usage (`GET .../webrtc`). The live
// preview is a panel of its own (stream-preview.tsx), shown while the console watches the event.

import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ControlApiError, type Call } from './control-api.js';
import { useMay } from './caller.js';

/** How often the status is fetched again, ms. */
export const STREAM_REFRESH_MS = 3000;

export interface ConsoleStream {
  source: 'encoder' | 'demo';
  ingest: { rtmp?: string; srt?: string };
  publisher: 'rtmp' | 'srt' | null;
  state: 'idle' | 'live' | 'ended';
  renditions: Array<{ name: string; width: number; height: number; bitrate: number | null }>;
  bitrate: number | null;
  lastPartAt: number | null;
}

interface WebrtcTier {
  seats: number;
  held: number;
  ingest: { live: boolean } | null;
}

/** What the panel knows: the stream (null: no key yet), or why there is none to show. */
type Status =
  | { kind: 'loading' }
  | { kind: 'stream'; stream: ConsoleStream | null }
  | { kind: 'unavailable'; text: string };

const kbps = (bits: number | null) => (bits === null ? '–' : `${Math.round(bits / 1000)} kb/s`);

export interface StreamPanelProps {
  call: Call;
  eventId: string;
  /** Shown under the stream's status: the console's preview of the picture. */
  children?: ReactNode;
}

export function StreamPanel({ call, eventId, children }: StreamPanelProps) {
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const [tier, setTier] = useState<WebrtcTier | string>();
  const [key, setKey] = useState<string>();
  const [error, setError] = useState<string>();
  const mayKey = useMay('streamKey');
  const tierOff = useRef(false);
  const polling = useRef(true);
  const asking = useRef(false);
  const base = `/v1/events/${encodeURIComponent(eventId)}`;

  const ask = useCallback(async () => {
    try {
      const { stream } = await call<{ stream: ConsoleStream | null }>('GET', `${base}/stream`);
      setStatus({ kind: 'stream', stream });
    } catch (err) {
      // Not asked again by the timer (a deployment without media would be asked for ever):
      // "Check again" asks.
      polling.current = false;
      const text =
        err instanceof ControlApiError && err.code === 'media_unavailable'
          ? 'No media process is configured for this deployment.'
          : err instanceof Error
            ? err.message
            : String(err);
      setStatus({ kind: 'unavailable', text });
    }
    // A deployment without the WebRTC tier says so once; it is not asked again every refresh.
    if (tierOff.current) return;
    try {
      setTier((await call<{ webrtc: WebrtcTier }>('GET', `${base}/webrtc`)).webrtc);
    } catch (err) {
      const off = err instanceof ControlApiError && err.code === 'webrtc_off';
      tierOff.current = off;
      setTier(
        off ? 'not configured (LL-HLS only)' : err instanceof Error ? err.message : String(err),
      );
    }
  }, [call, base]);

  const refresh = useCallback(async () => {
    // One question at a time: a slow answer is not asked again on top of itself.
    if (asking.current) return;
    asking.current = true;
    try {
      await ask();
    } finally {
      asking.current = false;
    }
  }, [ask]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (polling.current) void refresh();
    }, STREAM_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const checkAgain = () => {
    polling.current = true;
    void refresh();
  };

  const rotate = async () => {
    setError(undefined);
    try {
      const made = await call<{ key: string; stream: ConsoleStream }>('POST', `${base}/stream`);
      setKey(made.key);
      setStatus({ kind: 'stream', stream: made.stream });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const stream = status.kind === 'stream' ? status.stream : null;
  return (
    <section className="panel" aria-label="Stream">
      <h2>Stream</h2>
      {status.kind === 'loading' && <p className="notice">Asking the media process…</p>}
      {status.kind === 'unavailable' && (
        <p className="notice">
          {status.text}{' '}
          <button type="button" className="secondary" onClick={checkAgain}>
            Check again
          </button>
        </p>
      )}
      {status.kind === 'stream' && !stream && (
        <p className="notice">No stream key yet: make one to connect an encoder.</p>
      )}
      {stream && (
        <dl className="stream-facts">
          <dt>Status</dt>
          <dd>
            <span className={`badge stream-${stream.state}`}>{stream.state}</span>{' '}
            {stream.source === 'demo'
              ? 'demo test pattern'
              : stream.publisher
                ? `encoder over ${stream.publisher.toUpperCase()}`
                : 'no encoder connected'}
          </dd>
          {stream.ingest.rtmp && (
            <>
              <dt>RTMP ingest</dt>
              <dd>
                <code className="ingest-url">{stream.ingest.rtmp}</code>
              </dd>
            </>
          )}
          {stream.ingest.srt && (
            <>
              <dt>SRT ingest</dt>
              <dd>
                <code className="ingest-url">{stream.ingest.srt}</code>
              </dd>
            </>
          )}
          <dt>Renditions</dt>
          <dd className="renditions">
            {stream.renditions.length === 0
              ? '–'
              : stream.renditions
                  .map((r) => `${r.name} ${r.width}×${r.height} ${kbps(r.bitrate)}`)
                  .join(' · ')}
          </dd>
          <dt>Bitrate</dt>
          <dd>{kbps(stream.bitrate)}</dd>
        </dl>
      )}
      {children}
      {tier !== undefined && (
        <p className="webrtc-tier">
          WebRTC tier:{' '}
          {typeof tier === 'string' ? tier : `${tier.held} of ${tier.seats} seats in use`}
        </p>
      )}
      {key && (
        <p className="stream-key" role="status">
          Stream key (shown once; keep it secret): <code>{key}</code>
        </p>
      )}
      {status.kind === 'stream' && mayKey && (
        <button type="button" className="secondary" onClick={() => void rotate()}>
          {stream ? 'Rotate stream key' : 'Make stream key'}
        </button>
      )}
      {error && (
        <p className="refusal" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
