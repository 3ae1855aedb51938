/** RFC 9457 problem details: every error the API returns has this shape and media type. */
import type { z } from 'zod';

export type ProblemLocation = 'query' | 'path' | 'body' | 'header';
export interface ProblemFieldError { readonly location: ProblemLocation; readonly pointer: string; readonly detail: string }

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly errors?: readonly ProblemFieldError[];
}

export const PROBLEM_TYPES = {
  validation: 'Request parameters are not valid',
  'bad-request': 'The request cannot be answered',
  unauthorized: 'An API key is needed',
  forbidden: "The key's role does not allow this",
  'not-found': 'Not found',
  'not-acceptable': 'No acceptable representation',
  'not-ready': 'The engine is not ready',
  'suppression-guard': 'A statistic failed the disclosure check',
  'unprotected-cells': 'Coarser tables would give away small hidden cells of this table',
  'headers-too-large': 'The request line and headers are too large',
  'request-timeout': 'The request did not arrive in time',
  'bad-http': 'The request is not valid HTTP',
  'disk-full': "The server's disk is full",
  'views-damaged': "The server's views cannot be read",
  'views-mismatch': "The server's views were made from another state of its event log",
  'log-damaged': "The server's event log reports damage",
  internal: 'Internal error',
} as const;
export type ProblemCode = keyof typeof PROBLEM_TYPES;

/** Thrown by handlers; the error handler renders it. */
export class ProblemError extends Error {
  constructor(readonly code: ProblemCode, readonly status: number, readonly detail?: string, readonly errors?: readonly ProblemFieldError[]) {
    super(detail ?? PROBLEM_TYPES[code]);
  }
  toProblem(instance?: string): Problem {
    return {
      type: `urn:leerroutes:problem:${this.code}`,
      title: PROBLEM_TYPES[this.code],
      status: this.status,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(instance !== undefined ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export function validationProblem(location: ProblemLocation, error: z.ZodError): ProblemError {
  const errors = error.issues.map((issue) => ({
    location,
    pointer: '#/' + issue.path.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/'),
    detail: issue.code === 'unrecognized_keys' ? `unknown parameter(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  return new ProblemError('validation', 400, errors.map((e) => `${e.pointer.slice(2) || location}: ${e.detail}`).join('; '), errors);
}
