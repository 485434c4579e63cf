export type AttachmentCommand = {
  type: 'RecordUpload';
  attachmentId: string;
  uploaderId: string;
  filename: string;
  size: number;
  contentType: string;
  width?: number;
  height?: number;
  blobKey: string;
  at: string;
};
