/** Monitoring tables. JSON documents are stored as text; timestamps are epoch milliseconds. */
export interface MonitoringLabelsTable {
  request_id: string;
  label: string; // JSON value
  received_at: number;
}
export interface MonitorsTable {
  monitor_id: string;
  name: string;
  deployment: string;
  spec: string; // JSON MonitorSpec
  enabled: number;
  created_at: number;
  updated_at: number;
}
/** An uploaded reference data set (rows as JSON), one per monitor. */
export interface MonitorReferencesTable {
  monitor_id: string;
  source: string;
  row_count: number;
  rows: string;
  created_at: number;
}
export interface MonitorRunsTable {
  run_id: string;
  monitor_id: string;
  started_at: number;
  finished_at: number;
  window_start: number | null;
  window_end: number | null;
  row_count: number;
  status: string; // 'ok' | 'alerting' | 'failed'
  results: string; // JSON MonitorRunResults
  error: string | null;
}
export interface AlertEventsTable {
  event_id: string;
  monitor_id: string;
  rule_name: string;
  run_id: string;
  fired_at: number;
  status: string; // 'fired' | 'suppressed'
  value: number | null;
  message: string;
  deliveries: string; // JSON
  retrain_run_id: string | null;
}

export interface MonitoringTables {
  monitoring_labels: MonitoringLabelsTable;
  monitors: MonitorsTable;
  monitor_references: MonitorReferencesTable;
  monitor_runs: MonitorRunsTable;
  alert_events: AlertEventsTable;
}
