// The "Semantics:" line every command prints first on stderr: which Voyager's behaviour applies
// and on what evidence, in the words of the flag that overrides it.

import { describeProfile, isNewerThanKnown, NEWEST_KNOWN, type SemanticsChoice } from '../core/semantics.ts';

/** The environment variable that names the version once, for every command (--voyager-version wins). */
export const VERSION_ENV = 'KUBECTL_STICKY_VOYAGER_VERSION';

const NAME_IT = `--voyager-version VERSION (or ${VERSION_ENV}=VERSION)`;

function guessReason(choice: Extract<SemanticsChoice, { source: 'default' }>): string {
  return choice.badTag !== null ? `the operator image tag "${choice.badTag}" is not a version` : 'no --voyager-version and no operator Deployment found';
}

/** The Semantics line (`tail` ends it), and under it a warning when the version is newer than any this plugin knows. */
export function semanticsLine(choice: SemanticsChoice, tail = ''): string {
  const line = `${semanticsOnly(choice)}${basisOf(choice)}${tail}`;
  const version = choice.profile.version;
  if (choice.source === 'discovery' || choice.source === 'default' || !isNewerThanKnown(version)) return line;
  return `${line}\nWarning: Voyager ${version} is newer than any version kubectl-sticky knows (v${NEWEST_KNOWN.major}, calendar releases to v${NEWEST_KNOWN.calendarYear}.x): the ${choice.profile.id} semantics of the newest known releases apply`;
}

/** Where the semantics come from when the release is newer than the public code: said, not implied. */
function basisOf(choice: SemanticsChoice): string {
  const { basis, version } = choice.profile;
  if (!basis.assumed || choice.source === 'default') return '';
  const release = choice.source === 'discovery' ? 'the release that serves voyager.appscode.com/v1' : version;
  return `; ${basis.code}'s code, the newest public, assumed for ${release}`;
}

function semanticsOnly(choice: SemanticsChoice): string {
  const profile = describeProfile(choice.profile);
  switch (choice.source) {
    case 'flag':
      return `Semantics: ${profile}, from --voyager-version`;
    case 'env':
      return `Semantics: ${profile}, from ${VERSION_ENV}`;
    case 'operator':
      return `Semantics: ${profile}, from the image of ${choice.object}`;
    case 'discovery':
      return 'Semantics: Voyager 9.0 or later, because the server serves voyager.appscode.com/v1 (v2021.09.15+)';
    case 'default':
      return `Semantics: Voyager 3.2 assumed (${guessReason(choice)}); pass --voyager-version to be sure`;
  }
}

/** Why a write refuses on the 3.2 guess: one line that says how to name the version. */
export function unknownVersionRefusal(choice: Extract<SemanticsChoice, { source: 'default' }>): string {
  return `the Voyager version is not known (${guessReason(choice)}) and a write made for the 3.2 guess may do nothing: name it with ${NAME_IT}`;
}

/** What a dry run or --local says when it goes on under the guess. */
export function unknownVersionWarning(choice: Extract<SemanticsChoice, { source: 'default' }>): string {
  return `Warning: the Voyager version is not known (${guessReason(choice)}): this shows what Voyager 3.2 would do, a GUESS; a real write refuses until you name it with ${NAME_IT}`;
}
