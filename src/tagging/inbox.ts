/**
 * The Tag workspace's inbox: other workspaces (Live's snapshot button) hand it image files with
 * an `ocellus:add-files` window event, whether or not the Tag tab is open. A listener that takes
 * the files calls preventDefault(), so the sender knows they arrived.
 */
import { fromFileList } from '../sources/files';
import { addFiles, initTagSession } from './actions';

export interface AddFilesDetail {
  target: 'tag';
  files: File[];
}

export const ADD_FILES_EVENT = 'ocellus:add-files';

let installed = false;

/** Starts listening (once per page); files for Tag are queued and tagged like a drop. */
export function installTagInbox(): void {
  if (installed) return;
  installed = true;
  window.addEventListener(ADD_FILES_EVENT, (ev) => {
    const detail = (ev as CustomEvent<AddFilesDetail>).detail;
    if (detail?.target !== 'tag' || !Array.isArray(detail.files)) return;
    ev.preventDefault();
    // The saved session loads first, so the new files join it rather than being overwritten.
    void initTagSession().then(() => addFiles(fromFileList(detail.files)));
  });
}
