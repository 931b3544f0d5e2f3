// ESLint (flat config): the JS, TypeScript and Vue recommended rules over src/. `npm run lint`, run by `make test`.
import js from '@eslint/js'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/shared/api-types.ts', 'src/components.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/essential'],
  {
    files: ['**/*.{ts,vue}'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] },
    },
    rules: {
      // page names like HomePage are one word by design in the router tables
      'vue/multi-word-component-names': 'off',
      // a form object handed to a fields component is shared on purpose: its fields may be set, the prop not replaced
      'vue/no-mutating-props': ['error', { shallowOnly: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // error codes come from the schema: compare `e.code` with ErrorCode.x (src/shared/errorCodes.ts)
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[operator=/^[!=]==?$/][left.type='MemberExpression'][left.property.name='code'][left.object.name=/^(e|err|error|exc)$/][right.type='Literal']",
          message: 'Compare an error code with ErrorCode.<code> from @shared/errorCodes, not a string literal.',
        },
      ],
    },
  },
)
