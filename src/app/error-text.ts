// The one table from every ServiceError to a sentence a person can act on (style guide D.11).
// Sentences say what happened and what to do, in the words of someone at a TV: "the PC", not
// "the host"; no protocol terms unless the person has to type or look for them.

import { assertNever } from '../lib/result.ts';
import type { InvalidAddressReason, ServiceError, StreamEnd } from './services.ts';

/** Who the sentence is about, when the caller knows (a host's display name). */
export interface ErrorSubject {
  hostName?: string;
  /** The title of the app running on the host, for `app-running`. */
  runningAppTitle?: string;
}

export function errorText(error: ServiceError, subject: ErrorSubject = {}): string {
  const pc = subject.hostName !== undefined && subject.hostName.length > 0 ? `“${subject.hostName}”` : 'The PC';
  switch (error.kind) {
    case 'invalid-address':
      return invalidAddressText(error.input, error.reason);
    case 'unreachable':
      return `${pc} is not reachable. Check that the PC is on and on the same network, and that Sunshine is running.`;
    case 'timeout':
      return `${pc} did not answer in time. Check that the PC is on and that Sunshine is running, then try again.`;
    case 'host-error':
      return `${pc} refused the request: ${error.message.length > 0 ? error.message : 'no reason given'} (error ${error.code}).`;
    case 'malformed-reply':
      return `${pc} sent an answer this app cannot read. Check that the address points to a PC running Sunshine or GeForce Experience.`;
    case 'tls':
      return `The secure connection to ${pcObject(pc)} failed; its certificate may have changed after a reinstall. Remove the pairing and pair again.`;
    case 'not-paired':
      return `This TV is not paired with ${pcObject(pc)}. Pair it first: choose the PC and enter the PIN shown here on the PC.`;
    case 'wrong-pin':
      return 'The PIN did not match. Check the PIN you typed on the PC and try again.';
    case 'pairing-in-progress':
      return `${pc} is already pairing with another device. Finish or cancel that pairing, then try again.`;
    case 'man-in-the-middle':
      return `Pairing was stopped because ${pcObject(pc)} could not prove its identity: another device on the network may be intercepting the connection.`;
    case 'cancelled':
      return 'Cancelled.';
    case 'unknown-host':
      return 'This PC is no longer in the list. It may have been removed; add it again.';
    case 'duplicate-host':
      return 'This PC is already in the list.';
    case 'no-mac':
      return `${pc} cannot be woken up yet: pair with it while it is on, so that this TV learns its network address for Wake-on-LAN.`;
    case 'storage':
      return 'The TV could not save or read this app’s data. Free some space on the TV or reinstall the app.';
    case 'app-running': {
      const running = subject.runningAppTitle !== undefined && subject.runningAppTitle.length > 0 ? `“${subject.runningAppTitle}”` : 'another app';
      return `${pc} is running ${running}. Quit it first to start a different app, or choose it to go back to it.`;
    }
    case 'media':
      return `This TV cannot play the stream ${pcObject(pc)} offers. Try H.264 instead of H.265, or a lower resolution.`;
    case 'internal':
      return 'Something went wrong inside the app. Try again; if it keeps happening, restart the app.';
    default:
      return assertNever(error);
  }
}

/**
 * Why a stream ended, in words (control-plane.md §8.3, data-plane.md §4.4.15). Null for a stop
 * this client asked for, which needs no explanation.
 */
export function streamEndText(end: StreamEnd, subject: ErrorSubject = {}): string | null {
  const pc = subject.hostName !== undefined && subject.hostName.length > 0 ? `“${subject.hostName}”` : 'The PC';
  switch (end.kind) {
    case 'stopped':
      return null;
    case 'host-terminated':
      return hostTerminationText(pc, end.code, end.graceful);
    case 'connection-lost':
      return `The connection to ${pcObject(pc)} was lost. Check that the PC is still on and that the network works, then start the stream again.`;
    case 'no-video':
      return end.received === 'nothing'
        ? `No video arrived from ${pcObject(pc)}. A firewall on the PC or the router may block UDP ports 47998 and 48000.`
        : `The video from ${pcObject(pc)} never arrived whole: the network is too slow for this quality. Lower the bitrate or the resolution and try again.`;
    case 'protocol':
      return `${pc} sent stream data this app cannot read, so the stream was stopped. Updating Sunshine on the PC may help.`;
    case 'network':
      return 'The TV’s network connection failed during the stream. Check the network, then start the stream again.';
    case 'media':
      return 'The TV could not play this stream. Try H.264 instead of H.265, or a lower resolution.';
    case 'internal':
      return 'Something went wrong inside the app during the stream. Start it again; if it keeps happening, restart the app.';
    default:
      return assertNever(end);
  }
}

function hostTerminationText(pc: string, code: number | null, graceful: boolean): string {
  if (code === null) return `${pc} closed the connection and the stream ended.`;
  switch (code >>> 0) {
    case TERMINATION_SERVER_CLOSED:
    case TERMINATION_SHORT_INTENDED:
      return graceful
        ? `The stream ended: the app on ${pcObject(pc)} was closed.`
        : `${pc} ended the stream before it got going. Check that the PC’s display is on and no protected video is open, then try again.`;
    case TERMINATION_PROTECTED_CONTENT:
      return `${pc} stopped the stream because protected (DRM) content is on its screen. Close it and try again.`;
    case TERMINATION_FRAME_CONVERSION:
      return `${pc} could not prepare the picture for this stream, for example because its HDR setting does not match. Try again with HDR off.`;
    default:
      return `${pc} ended the stream (code 0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')}).`;
  }
}

// data-plane.md §4.4.15: the termination codes hosts send, as unsigned 32-bit values.
const TERMINATION_SERVER_CLOSED = 0x80030023;
const TERMINATION_SHORT_INTENDED = 0x0100;
const TERMINATION_PROTECTED_CONTENT = 0x800e9302;
const TERMINATION_FRAME_CONVERSION = 0x800e9403;

function invalidAddressText(input: string, reason: InvalidAddressReason | undefined): string {
  const typed = input.trim();
  if (reason === 'empty' || typed.length === 0) return 'Type the PC’s address, such as 192.168.1.20 or my-pc.';
  const quoted = `“${typed.length > MAX_QUOTED_CHARS ? `${typed.slice(0, MAX_QUOTED_CHARS)}…` : typed}”`;
  switch (reason) {
    case 'bad-port':
      return `${quoted} has an invalid port: after the colon, give a number from 1 to 65535.`;
    case 'bad-ipv4':
      return `${quoted} is not a valid IPv4 address: it needs four numbers from 0 to 255, such as 192.168.1.20.`;
    case 'bad-ipv6':
      return `${quoted} is not a valid IPv6 address. Write it with brackets when adding a port, such as [fe80::1]:47989.`;
    case 'bad-name':
    case undefined:
      return `${quoted} is not a valid address. Use an IP address such as 192.168.1.20 or a name such as my-pc.`;
    default:
      return assertNever(reason);
  }
}

/** "The PC" in the middle of a sentence. */
function pcObject(pc: string): string {
  return pc === 'The PC' ? 'the PC' : pc;
}

/** Long pasted text is cut so the message still fits on a TV dialog. */
const MAX_QUOTED_CHARS = 60;
