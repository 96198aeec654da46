// client-go's words for failed requests, as kubectl prints them: API errors (`Error from server
// (Reason): ...`), dropped or timed-out exchanges, and credentials that could not be had.

import { ConnectionError, ServerError, UserError, WriteUncertainError, neutralise, redact } from '../errors.ts';
import { exchangeError, firstLine } from '../http.ts';
import { isObject, type Json } from '../core/objects.ts';
import { qualifiedName, type ResourceType, type WatchStatus } from './api.ts';

export interface RequestDescription {
  verb: string;
  type: ResourceType;
  namespace: string;
  name?: string;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** client-go's messages for an error answer that is not a Status (NewGenericServerResponse). */
const GENERIC: Record<number, string> = {
  400: 'the server rejected our request for an unknown reason',
  404: 'the server could not find the requested resource',
  405: 'the server does not allow this method on the requested resource',
  406: 'the server was unable to respond with a content type that the client supports',
  409: 'the server reported a conflict',
  422: 'the server rejected our request due to an error in our request',
  429: 'the server has received too many requests and has asked us to try again later',
  503: 'the server is currently unable to handle the request',
  504: 'the server was unable to return a response in the time allotted, but may still be processing the request',
};

/**
 * kubectl's wording for API errors. The response body is a Status: only its message is shown.
 * Any other body gets client-go's generic message, with the request in parentheses.
 */
export function apiError(status: number, text: string, request: RequestDescription): Error {
  let reason = REASONS[status] ?? (status >= 500 ? 'InternalError' : 'Unknown');
  let message = '';
  let isStatus = false;
  try {
    const body = JSON.parse(text) as Json;
    if (isObject(body) && body['kind'] === 'Status') {
      isStatus = true;
      if (typeof body['reason'] === 'string' && body['reason']) reason = body['reason'];
      if (typeof body['message'] === 'string') message = body['message'];
    }
  } catch {
    // not a Status: the generic text below
  }
  if (status === 401) return new UserError('You must be logged in to the server (Unauthorized)');
  if (!message) {
    const served = isStatus ? '' : redact(neutralise(text.trim())).split('\n')[0]?.slice(0, 200) || 'unknown';
    message =
      GENERIC[status] ??
      (status >= 500
        ? `an error on the server (${JSON.stringify(served)}) has prevented the request from succeeding`
        : status === 403 || status === 415
          ? served
          : `the server responded with the status code ${status} but did not return more information`);
    const resource = request.type.plural ? qualifiedName(request.type) : '';
    // client-go names the HTTP verb: a list or a watch is a get.
    const verb = request.verb === 'patch' ? 'patch' : 'get';
    if (resource) message += request.name ? ` (${verb} ${resource} ${request.name})` : ` (${verb} ${resource})`;
  }
  return new ServerError(status, reason, `Error from server (${reason}): ${message}`);
}

/** A Status object's code, reason and message (`fallback` when the body is not a Status). */
export function statusOf(text: string, fallback: number): WatchStatus {
  let body: Json = null;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    // not JSON: the fallback below
  }
  const status = isObject(body) ? body : {};
  const code = typeof status['code'] === 'number' ? status['code'] : fallback;
  const reason = typeof status['reason'] === 'string' ? status['reason'] : (REASONS[code] ?? (code === 410 ? 'Expired' : 'Unknown'));
  const message = typeof status['message'] === 'string' ? status['message'] : '';
  return { code, reason, message };
}

/**
 * Why credentials could not be had, without the credentials. client-node's exec plugin support
 * rejects with JSON.parse's error when the plugin prints something that is not JSON, and V8
 * quotes the input in that message: the plugin's stdout, usually the token itself.
 */
export function credentialProblem(error: unknown): string {
  if (error instanceof SyntaxError) return 'the exec credential plugin printed something that is not an ExecCredential (JSON)';
  if (error instanceof TypeError) return 'the exec credential plugin printed an ExecCredential without status';
  const line = firstLine(error).trim();
  return line || 'the exec credential plugin failed and printed nothing on stderr';
}

/**
 * A failed exchange, in kubectl's words. A write that failed once connected (`sentWrite`: a
 * timeout, a connection closed) has an unknown outcome: the error says so, and is a
 * WriteUncertainError so the caller does not report the object as "not written".
 */
export function networkError(error: unknown, server: URL, defaultBoundMs: number | null, sentWrite: boolean): UserError {
  const failed = exchangeError(error, server, defaultBoundMs);
  if (sentWrite && failed instanceof ConnectionError && (failed.failure === 'timeout' || failed.failure === 'closed' || failed.failure === 'other')) {
    return new WriteUncertainError(`${failed.message}; the change may or may not have been applied`, failed.failure);
  }
  return failed;
}
