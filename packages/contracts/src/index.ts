export * from './access';
export * from './auth';
export * from './channels';
export * from './conversations';
export * from './errors';
export * from './leads';
export * from './messaging';
export * from './tenants';
