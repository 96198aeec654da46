// The "Semantics:" line every command prints first on stderr: which Voyager's behaviour applies
// and on what evidence, in the words of the flag that overrides it.

import { describeProfile, type SemanticsChoice } from '../core/semantics.ts';

export function semanticsLine(choice: SemanticsChoice): string {
  const profile = describeProfile(choice.profile);
  switch (choice.source) {
    case 'flag':
      return `Semantics: ${profile}, from --voyager-version`;
    case 'operator':
      return `Semantics: ${profile}, from the image of ${choice.object}`;
    case 'discovery':
      return 'Semantics: Voyager 9.0 or later, because the server serves voyager.appscode.com/v1 (v2021.09.15+)';
    case 'default': {
      const why =
        choice.badTag !== null ? `the operator image tag "${choice.badTag}" is not a version` : 'no --voyager-version and no operator Deployment found';
      return `Semantics: Voyager 3.2 assumed (${why}); pass --voyager-version to be sure`;
    }
  }
}
