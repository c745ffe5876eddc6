import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Session } from '../app.js';
import { MissingScope, PageTitle } from '../components/async.js';
import { describeEvent, shortTopic } from '../describe.js';
import { when } from '../format.js';
import type { LedgerEvent } from '../model.js';
import { hasScope } from '../session.js';
import { EventStream, type StreamState } from '../stream.js';

/** The feed keeps the newest events only, so that a long session does not grow without bound. */
const KEEP = 500;

const STATE_TEXT: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Stopped',
};

/** Ledger and configuration events as they are committed: pausable, filtered by topic. */
export function EventsPage({ session }: { session: Session }): JSX.Element {
  const readable = hasScope(session.identity, 'ledger:read');
  const [events, setEvents] = useState<LedgerEvent[]>([]);
  const [held, setHeld] = useState<LedgerEvent[]>([]);
  const [paused, setPaused] = useState(false);
  const [topic, setTopic] = useState('');
  const [state, setState] = useState<{ state: StreamState; detail?: string }>({ state: 'connecting' });
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    if (!readable) return;
    const stream = new EventStream(session.api, {
      onEvents: (batch) => {
        if (pausedRef.current) setHeld((h) => [...h, ...batch].slice(-KEEP));
        else setEvents((list) => [...list, ...batch].slice(-KEEP));
      },
      onState: (s, detail) => setState(detail === undefined ? { state: s } : { state: s, detail }),
    });
    stream.start();
    return () => stream.stop();
  }, [session.api, readable]);

  const resume = (): void => {
    setEvents((list) => [...list, ...held].slice(-KEEP));
    setHeld([]);
    setPaused(false);
  };
  const topics = useMemo(() => [...new Set([...events, ...held].map((e) => e.topic))].sort(), [events, held]);
  const shown = useMemo(
    () => events.filter((e) => topic === '' || e.topic === topic).reverse(),
    [events, topic],
  );

  if (!readable)
    return (
      <>
        <PageTitle>Events</PageTitle>
        <MissingScope scope="ledger:read" what="follow events" />
      </>
    );
  return (
    <>
      <PageTitle>Events</PageTitle>
      <div class="toolbar">
        <p role="status" class={`stream ${state.state}`} data-testid="stream-state">
          {STATE_TEXT[state.state]}
          {state.detail ? ` (${state.detail})` : ''}
          {paused ? ` · paused, ${held.length} new held` : ''}
        </p>
        {paused ? (
          <button type="button" class="primary" onClick={resume}>
            Resume{held.length > 0 ? ` (${held.length} new)` : ''}
          </button>
        ) : (
          <button type="button" onClick={() => setPaused(true)}>
            Pause
          </button>
        )}
        <label for="topic">Topic</label>
        <select
          id="topic"
          value={topic}
          onChange={(e) => setTopic((e.currentTarget as HTMLSelectElement).value)}
        >
          <option value="">All topics</option>
          {topics.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      <table data-testid="events">
        <caption>
          Newest first; {shown.length} shown of the last {events.length} received
        </caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              Sequence
            </th>
            <th scope="col">Time</th>
            <th scope="col">Topic</th>
            <th scope="col">Key</th>
            <th scope="col">What happened</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <tr key={e.sequence}>
              <td class="num">{e.sequence}</td>
              <td>{when(e.timestamp)}</td>
              <td title={e.topic}>{shortTopic(e.topic)}</td>
              <td>
                <code>{e.key}</code>
              </td>
              <td class="money">{describeEvent(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
