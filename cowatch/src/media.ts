// The slice of a media element the sync controller drives. A real `HTMLVideoElement` or
// `HTMLAudioElement` satisfies it as is (a compile-time check in sync-controller.test.ts keeps it
// so); the simulator's `SimMedia` implements it with modelled latencies.

/** The media events the controller listens to. */
export type MediaEventType = 'seeking' | 'seeked' | 'waiting' | 'playing';

/** `readyState` at and above which the element can play on (HTMLMediaElement.HAVE_FUTURE_DATA). */
export const HAVE_FUTURE_DATA = 3;

export interface MediaLike {
  /**
   * Position in seconds. Setting it starts a seek: `seeking` fires, then `seeked` once data for
   * the new position is available; meanwhile playback does not advance.
   */
  currentTime: number;
  /** Speed while playing; a change may take effect a little after the assignment. */
  playbackRate: number;
  readonly paused: boolean;
  /** HTMLMediaElement ready state, 0 (nothing) to 4 (enough data to play through). */
  readonly readyState: number;
  /** Starts playback; a browser may reject the promise (autoplay policy). */
  play(): Promise<void> | void;
  pause(): void;
  addEventListener(type: MediaEventType, listener: () => void): void;
  removeEventListener(type: MediaEventType, listener: () => void): void;
}
