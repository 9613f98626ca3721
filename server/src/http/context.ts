import type { Role } from '../contracts/roles';

/** The signed-in person acting on a request. */
export interface Actor {
  id: number;
  name: string;
  role: Role;
  departmentId: number;
}

/** What a service needs to know about the request that calls it. */
export interface RequestContext {
  actor: Actor;
  ip: string | null;
}
