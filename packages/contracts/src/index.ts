export * from './auth';
export * from './channels';
export * from './conversations';
export * from './errors';
export * from './messaging';
export * from './tenants';
