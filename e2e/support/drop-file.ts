/**
 * A synthetic drag-and-drop, as a person dropping a file from their desktop: a `File` built in the
 * page from the given bytes, in a `DataTransfer`, carried by `dragenter`, `dragover` and `drop`
 * events dispatched on the target.
 */
import type { Locator } from '@playwright/test';

/** The browser globals the page script uses (the e2e project has no DOM typings). */
interface DragGlobals {
  DataTransfer: new () => { items: { add(file: unknown): void } };
  DragEvent: new (
    type: string,
    init: { bubbles: boolean; cancelable: boolean; dataTransfer: unknown },
  ) => unknown;
  File: new (parts: Uint8Array[], name: string, options: { type: string }) => unknown;
}

export async function dropFile(target: Locator, file: { name: string; bytes: Uint8Array }): Promise<void> {
  await target.evaluate(
    (zone, { name, base64 }) => {
      const page = globalThis as unknown as DragGlobals;
      const binary = atob(base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      const data = new page.DataTransfer();
      data.items.add(new page.File([bytes], name, { type: 'application/octet-stream' }));
      for (const type of ['dragenter', 'dragover', 'drop'])
        (zone as unknown as { dispatchEvent(event: unknown): boolean }).dispatchEvent(
          new page.DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }),
        );
    },
    { name: file.name, base64: Buffer.from(file.bytes).toString('base64') },
  );
}
