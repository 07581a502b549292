/**
 * The API contract: every method and event between the renderer and the main process.
 *
 * This value is the single source of truth. The Electron IPC binding, the preload bridge, the
 * browser host and the renderer client are all built from it, and validate with its schemas.
 * Adding a method means adding one line here, one handler in the core, and one screen.
 */
import type { ClientApi, ContractShape, EventSubscriber, Handlers } from './define';
import { appEvents, appMethods, networkMethods } from './app';
import { approvalEvents, approvalMethods } from './approval';
import { downloadMethods, providersMethods, uploadEvents, uploadMethods } from './upload';
import { syncEvents, syncMethods } from './sync';
import { walletEvents, walletMethods } from './wallet';

export const contract = {
  methods: {
    app: appMethods,
    network: networkMethods,
    wallet: walletMethods,
    approval: approvalMethods,
    upload: uploadMethods,
    download: downloadMethods,
    providers: providersMethods,
    sync: syncMethods,
  },
  events: {
    ...appEvents,
    ...walletEvents,
    ...approvalEvents,
    ...uploadEvents,
    ...syncEvents,
  },
} as const satisfies ContractShape;

export type Contract = typeof contract;
export type CofferApi = ClientApi<Contract> & EventSubscriber<Contract>;
export type CofferHandlers = Handlers<Contract>;
