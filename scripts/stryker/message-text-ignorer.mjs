// A Stryker ignorer: string literals that are prose (a log line, an error's message, an event's `detail`) are not
// mutated. Issue #26 counts no mutant of message text; the rule is "a string with whitespace in it is prose", since
// every value the decision modules compare (types, reasons, error codes, storage keys) is one word.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const prose = (text) => /\s/.test(text.trim());

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'message-text', {
    shouldIgnore(path) {
      if (path.isStringLiteral() && prose(path.node.value)) return 'message text (a string with whitespace)';
      if (path.isTemplateLiteral() && path.node.quasis.some((q) => prose(q.value.cooked ?? q.value.raw))) {
        return 'message text (a template with whitespace)';
      }
      return undefined;
    },
  }),
];
