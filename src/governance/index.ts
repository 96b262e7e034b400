export { AuditLog, type AuditRecord } from './audit-log.ts';
export { auditRoutes } from './http/audit-routes.ts';
