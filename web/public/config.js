// Runtime settings of this build, read before the app starts. Edit this file where the
// static build is deployed: one build serves every environment.
//   apiUrl: where the API is, e.g. "https://api.example.com" (its origin must be in the
//           API's ALLOWED_ORIGINS). Empty: the same origin that serves this page.
window.CMD_EXECUTOR_CONFIG = {
  apiUrl: '',
};
