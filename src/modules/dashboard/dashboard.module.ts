import { Module } from '@nestjs/common';
import { KeyInfoController } from './key-info.controller';

/** The dashboard's one API route; its static files are served by serveDashboard (bootstrap). */
@Module({ controllers: [KeyInfoController] })
export class DashboardModule {}
