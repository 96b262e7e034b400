/** Reported by /version. MLflow clients only display it. */
export const VERSION = '0.1.0';
