import type { RecordedEvent } from '../events/envelope.ts';
import type { EventCatalogue } from '../events/catalogue.ts';
import type { EventStore } from '../events/store/port.ts';
import { frameOf, kindOf, routeNotifications, routeRevoltEvent, routeUserEvent, seesMessage, subjectOf, type Dispatch } from './routing.ts';
import type { ResumePoint, Session } from './session.ts';
import { readUpTo } from './read-range.ts';
import { addMemberships } from './viewer.ts';
import { revoltOfEvent, RevoltWorld } from './world.ts';

const PAGE = 500;

/**
 * Recomputes a session's dispatches from the event store (RESUME): the revolts the session belonged to are
 * loaded as they were just before the resume point, then every event after it is routed for this one session
 * with the same rules as live delivery, and numbered from the client's last sequence on. The first `skip`
 * dispatches are the ones the client already has.
 */
export class Replay {
  readonly world: RevoltWorld;
  /** Position of the last event routed. */
  position: number;
  private skip: number;
  revoked = false;

  constructor(
    private readonly store: EventStore,
    private readonly catalogue: EventCatalogue,
    private readonly session: Session,
    point: ResumePoint,
    private readonly onNewRevolt: (revoltId: string) => void,
  ) {
    this.world = new RevoltWorld(store, catalogue);
    this.position = point.position - 1;
    this.skip = point.skip;
  }

  /** Loads the session's revolts as of the resume point and derives its memberships and visible channels. */
  async prepare(revoltIds: readonly string[]): Promise<void> {
    await Promise.all(revoltIds.map((id) => this.world.load(id, this.position)));
    addMemberships(this.session, this.world, revoltIds);
  }

  /**
   * Routes the events after our position up to `to` (inclusive); after each page `page()` may flush and wait for
   * the socket, and stop the replay by returning false. Returns false if stopped.
   */
  async run(to: number, page?: () => Promise<boolean>): Promise<boolean> {
    for await (const events of readUpTo(this.store, this.position, to, PAGE)) {
      for (const raw of events) {
        await this.route(this.catalogue.upcast(raw));
        this.position = raw.position;
        if (this.revoked) return false;
      }
      if (page && !(await page())) return false;
    }
    return true;
  }

  private async route(event: RecordedEvent): Promise<void> {
    if (event.type === 'SessionRevoked' && (event.data as { sessionId: string }).sessionId === this.session.authSessionId) {
      this.revoked = true;
      return;
    }
    const kind = kindOf(event.type);
    if (!kind) return;
    let dispatches: Dispatch[] = [];
    if (kind === 'message') {
      if (seesMessage(this.session, event)) dispatches = [{ t: event.type, d: event.data }];
    } else if (kind === 'user') {
      dispatches = routeUserEvent(this.session, event, (id) => this.world.get(id));
    } else if (kind === 'notifications') {
      dispatches = routeNotifications(this.session.userId, event);
    } else {
      const revoltId = revoltOfEvent(event);
      if (!revoltId) return;
      if (!this.world.has(revoltId)) {
        if (subjectOf(event) !== this.session.userId) return;
        await this.world.load(revoltId, event.position - 1);
      }
      const after = await this.world.advance(event, revoltId);
      if (!after) return;
      const wasMember = this.session.revolts.has(revoltId);
      dispatches = routeRevoltEvent(this.session, event, revoltId, after);
      if (!wasMember && this.session.revolts.has(revoltId)) this.onNewRevolt(revoltId);
    }
    dispatches.forEach((dispatch, index) => {
      if (this.skip > 0) {
        this.skip--;
        return;
      }
      this.session.push(event.position, index, frameOf(dispatch));
    });
  }
}
