export { AuditLog, type AuditRecord } from './audit-log.ts';
