/**
 * The approval window's sandboxed preload: exposes `window.cofferApproval` with the approval
 * methods and events only (list, respond, approval.requested / approval.settled). Main checks on
 * its side too that this window calls nothing else and that only it may answer.
 */
import { contextBridge } from 'electron';
import { buildClient } from '../shared/api/client-builder';
import { approvalContract } from '../shared/api/approval';
import { ipcTransport } from './preload-transport';

contextBridge.exposeInMainWorld('cofferApproval', buildClient(approvalContract, ipcTransport));
